"""Breach assessment and alerts in a real `airflow dags test` of the demo estate (issue 16).

Every country's channels point at a real SMTP server (aiosmtpd) and a webhook receiver on
loopback. Yesterday's run finds the seeded critical exposures: exactly one e-mail and one
webhook call per affected country. Today's run, with the same findings open, sends nothing.
The JP exposure is notifiable under the APPI rule in force; a country with no exposure shows
none; no planted PII value reaches any message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from tests.cloudaudit.alerts_servers import Hooks, Mailbox, smtp_server, webhook_server
from tests.e2e.harness import DailyRuns, make_runs, sheet_rows

pytestmark = pytest.mark.slow
TODAY = datetime.now(UTC).date()
D1, D2 = (TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()
SECRET_ENV = "CLOUDAUDIT_E2E_WEBHOOK_SECRET"


@dataclass
class Alerted:
    runs: DailyRuns
    box: Mailbox
    hooks: Hooks
    after_d1: tuple[int, int]  # (e-mails, webhook calls) after the first run


@pytest.fixture(scope="module")
def alerted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Alerted]:
    from cloudaudit_demo.estate.manager import running_estate

    root = tmp_path_factory.mktemp("alerts")
    hooks = Hooks()
    with running_estate(root / "state" / "estate") as estate, smtp_server() as (box, port), \
            webhook_server(hooks) as url:
        runs = make_runs(root, estate)
        inventory = yaml.safe_load(estate.inventory_path.read_text())
        countries = sorted({e["country"] for e in inventory["environments"]})
        inventory["countries"] = {**inventory.get("countries", {}), **{cc: {
            **inventory.get("countries", {}).get(cc, {}),
            "alerts": {"email": {"to": [f"dpo-{cc.lower()}@example.com"], "from_email": "cloudaudit@example.com",
                                 "conn_id": "cloudaudit_smtp"},
                       "webhook": {"url": url, "secret_env": SECRET_ENV}}} for cc in countries}}
        path = root / "inventory-with-alerts.yaml"
        path.write_text(yaml.safe_dump(inventory, sort_keys=False))
        runs.env.update({"CLOUDAUDIT_INVENTORY": str(path), SECRET_ENV: "e2e-secret",
                         "AIRFLOW_CONN_CLOUDAUDIT_SMTP": f"smtp://127.0.0.1:{port}/?disable_ssl=true&disable_tls=true",
                         "CLOUDAUDIT_PORTAL_URL": "http://127.0.0.1:8080"})
        runs.run(D1, "live")
        after_d1 = (len(box.messages), len(hooks.requests))
        runs.run(D2, "live")
        yield Alerted(runs, box, hooks, after_d1)


def _critical_countries(runs: DailyRuns, day: str) -> set[str]:
    out = set()
    for country in runs.truth["countries"]:
        rows = sheet_rows(runs.report(country, day)[0], "Findings")
        if any(r["Status"] == "FAIL" and r["Severity"] == "critical" for r in rows):
            out.add(country)
    return out


def test_first_run_sends_one_message_per_affected_country(alerted: Alerted) -> None:
    affected = _critical_countries(alerted.runs, D1)
    assert affected, "the demo estate seeds critical exposures"
    assert alerted.after_d1 == (len(affected), len(affected))
    mailed = {m["To"] for m in alerted.box.messages}
    assert mailed == {f"dpo-{cc.lower()}@example.com" for cc in affected}
    hooked = sorted(json.loads(body)["country"] for _, body in alerted.hooks.requests)
    assert hooked == sorted(affected)


def test_next_day_with_the_same_findings_open_sends_none(alerted: Alerted) -> None:
    assert _critical_countries(alerted.runs, D2) == _critical_countries(alerted.runs, D1)
    assert (len(alerted.box.messages), len(alerted.hooks.requests)) == alerted.after_d1


def test_no_planted_value_in_any_message(alerted: Alerted) -> None:
    texts = [raw.decode("utf-8", "replace") for raw in alerted.box.raw]
    texts += [body.decode() for _, body in alerted.hooks.requests]
    values = [str(v) for v in _flatten(alerted.runs.planted) if len(str(v)) >= 4]
    assert values
    leaks = [v for v in values for t in texts if v in t]
    assert not leaks, f"{len(leaks)} planted values in alert messages"


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, list):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def _notification(runs: DailyRuns, country: str, day: str) -> list[dict[str, Any]]:
    return sheet_rows(runs.report(country, day)[0], "Notification")


def test_jp_exposure_is_notifiable_and_a_clean_country_shows_none(alerted: Alerted) -> None:
    jp = _notification(alerted.runs, "JP", D1)
    assert any(r["Verdict"] == "notifiable" and r["Rule"] == "jp-appi-2022" for r in jp), jp
    clean = [cc for cc in alerted.runs.truth["countries"]
             if not any(r["Category"] == "PII_EXPOSURE" and r["Status"] == "FAIL"
                        for r in sheet_rows(alerted.runs.report(cc, D1)[0], "Findings"))]
    assert clean, "the demo estate has a country without exposures"
    for country in clean:
        assert not any(r["Verdict"] == "notifiable" for r in _notification(alerted.runs, country, D1)), country
        summary = {r["Item"]: r["Value"] for r in sheet_rows(alerted.runs.report(country, D1)[0], "Summary")}
        assert summary["Notifiable exposures"] == 0


def test_bundle_carries_notification_json(alerted: Alerted) -> None:
    import zipfile

    with zipfile.ZipFile(alerted.runs.report("JP", D1)[1]) as bundle:
        document = json.loads(bundle.read("notification.json"))
    assert document["notifiable_exposures"] >= 1 and document["disclaimer"].startswith("Decision support")
