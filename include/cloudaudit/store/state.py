"""The state store's layout: snapshots, validation results, findings history, bundle chain.

    snapshots/<D>/<environment>.json           one per environment and run date (no raw values)
    snapshots/<D>/<environment>.json.complete  written last: the snapshot's SHA-256 and size
    runs/<D>/<CC>/validation.json              validate → publish hand-over for one country (ValidationRecord)
    runs/<D>/<CC>/published.json               where publish wrote the country's report and bundle, and counts
    history/<CC>/<D>.json                      (check_id, resource) keys that FAILED on D (First Seen)
    chain/<CC>/<D>.json                        the commit record of D's current publication (its
                                               bundle, hash chain link, and the bundles it superseded);
                                               replaced by compare-and-swap (store.publication)
    published/<CC>/<D>/<sha256>.zip            every bundle staged for D, never deleted: the current
                                               one restores the outputs, superseded ones stay as evidence
                                               and resolve older links of the chain

A snapshot counts only once its completion marker exists and matches it: a crash between the
two writes leaves a snapshot that readers treat as absent (``auto`` then extracts it again).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from cloudaudit.handover import ValidationRecord
from cloudaudit.model import Snapshot
from cloudaudit.store.backend import Store

log = logging.getLogger(__name__)
COMPLETE = ".complete"


def snapshot_key(run_date: str, environment: str) -> str:
    return f"snapshots/{run_date}/{environment}.json"


def write_snapshot(store: Store, snapshot: Snapshot) -> str:
    """The snapshot, then its completion marker: readers trust the first only once the second is there."""
    key = snapshot_key(snapshot.run_date, snapshot.environment.name)
    data = model_json(snapshot)
    store.write_bytes(key, data, content_type="application/json")
    write_json(store, key + COMPLETE, {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return key


def read_snapshot(store: Store, key: str) -> Snapshot | None:
    """The complete snapshot at ``key``, or None when there is none: absent, or no completion
    marker (a writer died between the two writes), or bytes that neither match the marker nor
    parse as a whole snapshot of this environment and date (torn)."""
    marker = read_json(store, key + COMPLETE)
    if not isinstance(marker, dict):
        if store.exists(key):
            log.warning("%s: no completion marker, treated as absent", key)
        return None
    data = store.read_bytes(key)
    if data is None:
        return None
    if len(data) == marker.get("size") and hashlib.sha256(data).hexdigest() == marker.get("sha256"):
        return Snapshot.model_validate_json(data)
    # Two extracts of one environment and date at once can leave the other one's marker: its
    # snapshot is whole (writes are atomic), so it counts if it is one for this key.
    try:
        snapshot = Snapshot.model_validate_json(data)
    except ValueError:
        snapshot = None
    if snapshot is None or snapshot_key(snapshot.run_date, snapshot.environment.name) != key:
        log.warning("%s: does not match its completion marker, treated as absent", key)
        return None
    return snapshot


def model_json(model: BaseModel) -> bytes:
    """``model.model_dump_json(indent=1).encode()``, made as bytes at once: no text copy of a
    large snapshot or validation record is held beside its bytes (issue 18: flat memory)."""
    return type(model).__pydantic_serializer__.to_json(model, indent=1)


def json_bytes(value: Any) -> bytes:
    """Stable JSON (sorted keys, UTF-8): the same value always gives the same bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


def write_json(store: Store, key: str, value: Any) -> str:
    store.write_bytes(key, json_bytes(value), content_type="application/json")
    return key


def read_json(store: Store, key: str) -> Any:
    data = store.read_bytes(key)
    return None if data is None else json.loads(data)


def validation_key(run_date: str, country: str) -> str:
    return f"runs/{run_date}/{country}/validation.json"


def write_validation(store: Store, record: ValidationRecord) -> str:
    key = validation_key(record.run_date, record.country)
    store.write_bytes(key, model_json(record), content_type="application/json")
    return key


def read_validation(store: Store, key: str) -> ValidationRecord | None:
    data = store.read_bytes(key)
    return None if data is None else ValidationRecord.model_validate_json(data)


def published_key(run_date: str, country: str) -> str:
    return f"runs/{run_date}/{country}/published.json"


def write_failures(store: Store, country: str, run_date: str, keys: set[tuple[str, str]]) -> None:
    write_json(store, f"history/{country}/{run_date}.json", sorted([list(k) for k in keys]))


def failure_history(store: Store, country: str, before: str) -> dict[str, set[tuple[str, str]]]:
    """Failed (check_id, resource) keys per earlier run date of the country."""
    history: dict[str, set[tuple[str, str]]] = {}
    for key in store.list_keys(f"history/{country}/"):
        date = key.rsplit("/", 1)[-1].removesuffix(".json")
        if date < before:
            history[date] = {(c, r) for c, r in (read_json(store, key) or [])}
    return history


def chain_key(country: str, run_date: str) -> str:
    return f"chain/{country}/{run_date}.json"


def chain_dates(store: Store, country: str) -> list[str]:
    """Run dates with a committed publication for the country, oldest first."""
    return sorted(k.rsplit("/", 1)[-1].removesuffix(".json") for k in store.list_keys(f"chain/{country}/")
                  if k.endswith(".json"))


def previous_bundle(store: Store, country: str, run_date: str) -> tuple[str, str] | None:
    """The chain link: (run date, bundle SHA-256) of the latest earlier publication of the country,
    as committed now (a later re-run of that date does not change links already recorded).

    Days without a publication are skipped: D3 after D1 with no D2 chains to D1."""
    for date in reversed(chain_dates(store, country)):
        if date < run_date:
            record: Mapping[str, Any] = read_json(store, chain_key(country, date)) or {}
            value = record.get("sha256")
            return (date, str(value)) if value else None
    return None


def previous_bundle_sha256(store: Store, country: str, run_date: str) -> str | None:
    link = previous_bundle(store, country, run_date)
    return link[1] if link else None
