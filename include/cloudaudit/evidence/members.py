"""What goes into a country's evidence bundle, placed by ``evidence.layout``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit.evidence.layout import (
    NOTIFICATION,
    data_docs_member,
    pii_member,
    snapshot_member,
    validation_member,
)
from cloudaudit.handover import ValidationRecord
from cloudaudit.model import Snapshot
from cloudaudit.store.state import json_bytes


def bundle_members(snapshots: Sequence[Snapshot], raw: Mapping[str, bytes], data: ValidationRecord,
                   xlsx_name: str, workbook: bytes, notification: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """Member path → bytes: the spreadsheet, each snapshot as stored (``raw``, by state key; a
    stand-in as rendered), masked PII results per environment, GX results, Data Docs and the
    breach assessment (``notification.json``)."""
    environments = {stored_member(key): blob for key, blob in raw.items() if blob}
    for snap in snapshots:
        environments.update(environment_members(snap, data, stored=snapshot_member(snap.environment.name)
                                                in environments))
    return publication_members(environments, data, xlsx_name, workbook, notification)


def stored_member(key: str) -> str:
    """The bundle member of a snapshot stored under state ``key`` (``snapshots/<date>/<env>.json``)."""
    return snapshot_member(key.rsplit("/", 1)[-1].removesuffix(".json"))


def environment_members(snap: Snapshot, data: ValidationRecord, *, stored: bool) -> dict[str, bytes]:
    """One environment's masked PII results, and its snapshot rendered unless ``stored`` (a
    stand-in for an environment that was not read has no stored bytes). Built one snapshot at a
    time, so a publisher need not hold every parsed snapshot (issue 18: flat memory)."""
    name = snap.environment.name
    members: dict[str, bytes] = {}
    if not stored:
        members[snapshot_member(name)] = snap.model_dump_json(indent=1).encode()
    rows = [r.model_dump(mode="json") for r in data.pii_inventory if r.environment == name]
    fields = [
        {"resource": s.resource, "format": s.format, "rows_sampled": s.rows_sampled,
         "carried_over_from": s.carried_over_from,
         "fields": [f.model_dump(mode="json") for f in s.fields if f.pii]}
        for r in snap.resources for s in r.samples if any(f.pii for f in s.fields)
    ]
    members[pii_member(name)] = json_bytes({"environment": name, "inventory": rows, "samples": fields,
                                            **carried_over(snap)})
    return members


def publication_members(environments: Mapping[str, bytes], data: ValidationRecord, xlsx_name: str,
                        workbook: bytes, notification: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """The bundle's members from the environments' (``environment_members`` and stored snapshots)
    and the validation record's: GX results and Data Docs."""
    members: dict[str, bytes] = {xlsx_name: workbook}
    if notification is not None:
        members[NOTIFICATION] = json_bytes(notification)
    members.update(environments)
    for suite, result in data.gx_results.items():
        members[validation_member(suite)] = json_bytes(result)
    for path, html in data.data_docs.items():
        members[data_docs_member(path)] = html.encode()
    return members


def carried_over(snapshot: Snapshot) -> dict[str, Any]:
    """How the snapshot was read (incremental re-scan) and every sample whose detection results
    were carried over from an earlier snapshot instead of read again, with the fingerprint that
    showed the object unchanged (``cloudaudit.incremental``)."""
    record = snapshot.incremental
    listed = [{"resource": s.resource, "carried_over_from": s.carried_over_from, "fingerprint": s.fingerprint}
              for r in snapshot.resources for s in r.samples if s.carried_over_from]
    return {"incremental": record.model_dump(mode="json") if record else None, "carried_over": listed}
