"""Publish a country's report for a run date exactly once: stage, commit, then write the outputs.

    1. stage   the signed bundle as ``published/<CC>/<D>/<sha256>.zip`` in the state store
    2. commit  create ``chain/<CC>/<D>.json`` only if it does not exist (a hard link locally,
               ``If-None-Match: *`` on S3): the first run to get there owns the date
    3. write   the committed bundle's own spreadsheet, then the bundle, to the SPEC paths
               ``<output>/<D>/<CC>/compliance_<CC>_<D>.xlsx`` and ``evidence_<CC>_<D>.zip``

The guarantee, for local directories and S3 prefixes alike:
- a file at a SPEC path is always whole (atomic writes), and both files come from the one
  committed publication: the spreadsheet is taken out of the committed bundle, never from the
  caller, so the pair cannot mix two runs;
- a run killed at any point leaves either no commit (a retry publishes afresh) or a commit
  whose staged bundle lets any later run finish the writes (a retry completes);
- a date's publication, once committed, is immutable: a concurrent run, a retry or a re-run of
  the date adopts it (rewrites the same bytes, returns it) and discards its own bundle, so two
  bundles can never claim the same date and the hash chain cannot fork there. To publish a
  date again on purpose, remove its ``chain/<CC>/<D>.json`` first (with retention, the old
  bundle stays in S3 as evidence either way).
The bundle is written last: a reader who finds it finds its spreadsheet too.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.errors import CloudauditError, EvidenceError
from cloudaudit.store import state
from cloudaudit.store.backend import Store

log = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ChainMoved(CloudauditError):
    """Raised when an earlier date was published while this bundle was built: it links to the
    wrong predecessor, so it is not committed (a retry builds it again, linked correctly)."""


@dataclass(frozen=True)
class Publication:
    country: str
    run_date: str
    spreadsheet: str  # full locations written
    bundle: str
    bundle_sha256: str
    previous_run_date: str | None  # what the bundle chains to (None: the first of its country)
    previous_bundle_sha256: str | None
    summary: dict[str, Any] = field(default_factory=dict)
    adopted: bool = False  # True when another run had committed the date first


def spreadsheet_key(country: str, run_date: str) -> str:
    return f"{run_date}/{country}/compliance_{country}_{run_date}.xlsx"


def bundle_key(country: str, run_date: str) -> str:
    return f"{run_date}/{country}/evidence_{country}_{run_date}.zip"


def staged_key(country: str, run_date: str, sha256: str) -> str:
    return f"published/{country}/{run_date}/{sha256}.zip"


def _manifest(bundle: bytes) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise EvidenceError("not an evidence bundle: no readable manifest.json") from None
    if not isinstance(manifest, dict) or not manifest.get("country") or not manifest.get("run_date"):
        raise EvidenceError("manifest.json: country and run_date are required")
    return manifest


def _spreadsheet_of(bundle: bytes, country: str, run_date: str) -> bytes:
    name = spreadsheet_key(country, run_date).rsplit("/", 1)[-1]
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        try:
            return archive.read(name)
        except KeyError:
            raise EvidenceError(f"the committed bundle has no {name}") from None


def publish_once(state_store: Store, out: Store, bundle: bytes, *,
                 summary: Mapping[str, Any] | None = None) -> Publication:
    """Commit ``bundle`` as its country's publication for its run date, unless one is committed
    already, then write the committed one to the output store. See the module docstring."""
    manifest = _manifest(bundle)
    country, run_date = str(manifest["country"]), str(manifest["run_date"])
    sha = hashlib.sha256(bundle).hexdigest()
    record_key = state.chain_key(country, run_date)
    record = state.read_json(state_store, record_key)
    if record is None:
        link = _check_chain_position(state_store, country, run_date, manifest.get("previous_bundle_sha256"))
        staged = staged_key(country, run_date, sha)
        state_store.write_bytes(staged, bundle, content_type="application/zip")
        ours = {
            "sha256": sha, "size": len(bundle), "staged": staged,
            "spreadsheet": out.location(spreadsheet_key(country, run_date)),
            "bundle": out.location(bundle_key(country, run_date)),
            "previous_run_date": link[0] if link else None,
            "previous_bundle_sha256": link[1] if link else None,
            "summary": dict(summary or {}),
        }
        if not state_store.create_bytes(record_key, state.json_bytes(ours), content_type="application/json"):
            log.info("%s %s: another run committed first; adopting its publication", country, run_date)
        # Read back whatever won: with a store whose conditional write is not atomic, this still
        # makes every contender write the same winner.
        record = state.read_json(state_store, record_key)
        if not isinstance(record, dict):
            raise EvidenceError(f"{record_key}: commit record unreadable after the commit")
    adopted = record.get("sha256") != sha
    if adopted:
        log.warning("%s %s: already published (bundle %s); the committed publication is kept", country,
                    run_date, record.get("sha256"))
    committed = _committed_bundle(state_store, out, record, country, run_date)
    _sweep_staged(state_store, country, run_date, keep=str(record.get("staged") or ""))
    sheet_at = out.write_bytes(spreadsheet_key(country, run_date), _spreadsheet_of(committed, country, run_date),
                               content_type=XLSX_TYPE)
    bundle_at = out.write_bytes(bundle_key(country, run_date), committed, content_type="application/zip")
    previous = record.get("previous_bundle_sha256")
    return Publication(country=country, run_date=run_date, spreadsheet=sheet_at, bundle=bundle_at,
                       bundle_sha256=str(record["sha256"]), previous_run_date=record.get("previous_run_date"),
                       previous_bundle_sha256=str(previous) if previous else None,
                       summary=dict(record.get("summary") or {}), adopted=adopted)


def _check_chain_position(store: Store, country: str, run_date: str, linked: Any) -> tuple[str, str] | None:
    """The predecessor the bundle must link to; ChainMoved when it links to another one."""
    link = state.previous_bundle(store, country, run_date)
    if (link[1] if link else None) != linked:
        raise ChainMoved(f"{country} {run_date}: an earlier date was published while the bundle was built "
                         f"(it links to {linked}, the latest earlier bundle is {link[1] if link else None})")
    later = [d for d in state.chain_dates(store, country) if d > run_date]
    if later:
        log.warning("%s %s: published after %s, whose bundle chains past this date", country, run_date,
                    ", ".join(later))
    return link


def _committed_bundle(store: Store, out: Store, record: Mapping[str, Any], country: str, run_date: str) -> bytes:
    """The committed bundle's bytes, checked against the record's SHA-256."""
    sha = record.get("sha256")
    staged = record.get("staged")
    # A record from before staging existed names only the bundle it published.
    data = store.read_bytes(str(staged)) if staged else out.read_bytes(bundle_key(country, run_date))
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        raise EvidenceError(f"{country} {run_date}: the committed bundle {sha} is missing or altered "
                            f"in the state store ({staged or 'no staged copy'})")
    return data


def _sweep_staged(store: Store, country: str, run_date: str, keep: str) -> None:
    """Drop bundles staged by runs that did not commit (killed before, or lost the race)."""
    for key in store.list_keys(f"published/{country}/{run_date}/"):
        if key != keep:
            store.delete(key)
