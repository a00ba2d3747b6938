"""The state store's layout: snapshots, validation results, findings history, bundle chain.

    snapshots/<D>/<environment>.json   one per environment and run date (no raw values)
    runs/<D>/<CC>/validation.json      validate → publish hand-over for one country (ValidationRecord)
    runs/<D>/<CC>/published.json       where publish wrote the country's report and bundle, and counts
    history/<CC>/<D>.json              (check_id, resource) keys that FAILED on D (First Seen)
    chain/<CC>/<D>.json                SHA-256 of the bundle published for D (hash chain)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cloudaudit.handover import ValidationRecord
from cloudaudit.model import Snapshot
from cloudaudit.store.backend import Store


def snapshot_key(run_date: str, environment: str) -> str:
    return f"snapshots/{run_date}/{environment}.json"


def write_snapshot(store: Store, snapshot: Snapshot) -> str:
    key = snapshot_key(snapshot.run_date, snapshot.environment.name)
    store.write_bytes(key, snapshot.model_dump_json(indent=1).encode(), content_type="application/json")
    return key


def read_snapshot(store: Store, key: str) -> Snapshot | None:
    data = store.read_bytes(key)
    return None if data is None else Snapshot.model_validate_json(data)


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
    store.write_bytes(key, record.model_dump_json(indent=1).encode(), content_type="application/json")
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


def previous_bundle_sha256(store: Store, country: str, run_date: str) -> str | None:
    """The chain link: SHA-256 of the bundle of the latest earlier run date of the country."""
    earlier = [k for k in store.list_keys(f"chain/{country}/") if k.rsplit("/", 1)[-1][:10] < run_date]
    if not earlier:
        return None
    record: Mapping[str, Any] = read_json(store, max(earlier)) or {}
    value = record.get("sha256")
    return str(value) if value else None


def record_bundle(store: Store, country: str, run_date: str, sha256: str, location: str) -> None:
    write_json(store, f"chain/{country}/{run_date}.json", {"sha256": sha256, "location": location})
