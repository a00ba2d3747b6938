"""One country's alert step of a run: diff against the last open set, send, remember.

The last open set lives in the state store (``alerts/<CC>/open.json``) with the run date it
belongs to; an older run date (a backfill) never overwrites a newer record, and sends nothing
unless asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cloudaudit.alerts.channels import AlertChannels
from cloudaudit.alerts.deliver import Delivery, deliver
from cloudaudit.alerts.diff import keys, new_since, open_critical
from cloudaudit.alerts.message import Alert, AlertItem, portal_link
from cloudaudit.model import Finding
from cloudaudit.store.backend import Store


@dataclass(frozen=True)
class AlertOutcome:
    new: int
    sent: bool
    deliveries: tuple[Delivery, ...]
    why_not: str = ""


def _state_key(country: str) -> str:
    return f"alerts/{country}/open.json"


def previous_open(store: Store, country: str) -> tuple[str | None, set[str] | None]:
    raw = store.read_bytes(_state_key(country))
    if raw is None:
        return None, None
    record = json.loads(raw)
    return str(record["run_date"]), set(record["open"])


def remember(store: Store, country: str, run_date: str, findings: Sequence[Finding]) -> None:
    """Record the run date's open set (callers check that no newer run date is recorded)."""
    body = {"run_date": run_date, "open": sorted(keys(open_critical(findings)))}
    store.write_bytes(_state_key(country), json.dumps(body, sort_keys=True).encode(), content_type="application/json")


def alert_country(store: Store, country: str, run_date: str, findings: Sequence[Finding],
                  verdicts: Mapping[tuple[str, str], tuple[str, str | None]], channels: AlertChannels | None,
                  portal_base: str, *, send: bool, nearest_deadline: str | None,
                  deliver_fn: Callable[[AlertChannels, Alert], list[Delivery]] = deliver) -> AlertOutcome:
    """``verdicts`` maps (check_id, resource) to (verdict, nearest due ISO) from the breach assessment."""
    recorded, before = previous_open(store, country)
    if recorded is not None and date.fromisoformat(recorded) > date.fromisoformat(run_date):
        before = None  # a backfill behind the record: diff against nothing, send nothing, keep the record
        send = False
    else:
        remember(store, country, run_date, findings)
    fresh = new_since(findings, before)
    if not fresh:
        return AlertOutcome(0, False, (), "nothing new")
    if not send:
        return AlertOutcome(len(fresh), False, (), "not asked to send (backfill or alerts off)")
    if channels is None or (channels.email is None and channels.webhook is None):
        return AlertOutcome(len(fresh), False, (), "no channel configured")
    items = tuple(AlertItem(f.resource, f.check_id, f.check, f.first_seen or run_date,
                            *verdicts.get((f.check_id, f.resource), ("not assessed", None))) for f in fresh)
    alert = Alert(country, run_date, items, portal_link(portal_base, country, run_date), nearest_deadline)
    results = deliver_fn(channels, alert)
    return AlertOutcome(len(fresh), any(r.ok for r in results), tuple(results))
