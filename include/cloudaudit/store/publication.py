"""Publish a country's report for a run date: stage, commit (compare-and-swap), write the outputs.

    1. stage   the signed bundle as ``published/<CC>/<D>/<sha256>.zip`` in the state store; staged
               bundles are never deleted, so a bundle a later run replaced stays as evidence
    2. commit  replace ``chain/<CC>/<D>.json`` by compare-and-swap (``Store.swap_bytes``: an
               flock'd compare and rename locally; ``If-Match`` on its ETag, or
               ``If-None-Match: *`` for the first, on S3), then read it back. A run that loses the
               swap reads the new record and tries again (at most ``MAX_SWAPS`` times); the record
               lists every bundle it superseded, so each commit is in the history of the next
    3. write   the committed bundle's own spreadsheet, then the bundle, to the SPEC paths
               ``<output>/<D>/<CC>/compliance_<CC>_<D>.xlsx`` and ``evidence_<CC>_<D>.zip``

A new run of a date replaces its report (SPEC: ``live`` always extracts, and a re-run must show
the estate as it is now); the last committed run wins. The guarantees, for local directories and
S3 prefixes alike:
- a file at a SPEC path is always whole (atomic writes);
- both files come from one committed run: the spreadsheet is taken out of the committed bundle,
  never from the caller, and each file is written by a fenced compare-and-swap: the writer reads
  the file's version, then checks that the record still names the bundle it is writing, then
  swaps on that version. A writer whose run was superseded meanwhile fails its swap (the newer
  run changed the file after the check) or sees the new record; either way it goes on to write
  the newer run's files, so a stale writer can never overwrite a newer run's file;
- a run killed at any point leaves either no commit (a retry publishes afresh) or a commit whose
  staged bundle lets any later run write the files (``restore``, or a retry that replaces it).
  Between its two writes a killed replacement leaves the new spreadsheet beside the previous
  run's bundle until the retry; the bundle carries its spreadsheet, so the mismatch is detectable
  (``outputs_match``).

The hash chain: a bundle for D+1 records the bundle of D committed when it was built
(``previous_bundle_sha256`` and ``previous_bundle_run_date``). Re-publishing D later leaves D+1
pointing at the superseded bundle, which is retained: ``resolve_previous`` and ``follow_chain``
resolve such a link through ``published/<CC>/<D>/<sha256>.zip`` and report it as "chains to a
superseded bundle of D (retained)", not as a break.
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
MAX_SWAPS = 8  # compare-and-swap attempts per commit and per file before giving up


class ChainMoved(CloudauditError):
    """Raised when an earlier date was first published while this bundle was built: it links to
    the wrong predecessor date, so it is not committed (a retry builds it again, linked correctly)."""


class PublishContention(CloudauditError):
    """Raised when MAX_SWAPS compare-and-swaps in a row lost to other runs (nothing half-done:
    the staged bundle is kept, and whatever is committed stays consistent)."""


@dataclass(frozen=True)
class Publication:
    country: str
    run_date: str
    spreadsheet: str  # full locations written
    bundle: str
    bundle_sha256: str  # the bundle now at the SPEC paths: this run's, or a later run's that replaced it
    previous_run_date: str | None  # what that bundle chains to (None: the first of its country)
    previous_bundle_sha256: str | None
    summary: dict[str, Any] = field(default_factory=dict)
    own_sha256: str = ""  # the bundle this run built and committed
    superseded: bool = False  # True when a later run's commit replaced this one before it finished


@dataclass(frozen=True)
class ChainLink:
    """How one bundle's ``previous_bundle_sha256`` resolves in the state store."""

    run_date: str
    sha256: str
    previous_run_date: str | None
    previous_sha256: str | None
    status: str  # e.g. "chains to the published bundle of D", "chains to a superseded bundle of D (retained)"
    ok: bool


def spreadsheet_key(country: str, run_date: str) -> str:
    return f"{run_date}/{country}/compliance_{country}_{run_date}.xlsx"


def bundle_key(country: str, run_date: str) -> str:
    return f"{run_date}/{country}/evidence_{country}_{run_date}.zip"


def staged_key(country: str, run_date: str, sha256: str) -> str:
    return f"published/{country}/{run_date}/{sha256}.zip"


def manifest_of(bundle: bytes) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise EvidenceError("not an evidence bundle: no readable manifest.json") from None
    if not isinstance(manifest, dict) or not manifest.get("country") or not manifest.get("run_date"):
        raise EvidenceError("manifest.json: country and run_date are required")
    return manifest


def spreadsheet_of(bundle: bytes, country: str, run_date: str) -> bytes:
    name = spreadsheet_key(country, run_date).rsplit("/", 1)[-1]
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        try:
            return archive.read(name)
        except KeyError:
            raise EvidenceError(f"the committed bundle has no {name}") from None


def superseded_of(record: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The bundles a commit record replaced, oldest first."""
    return [dict(entry) for entry in (record or {}).get("superseded") or [] if isinstance(entry, Mapping)]


def publish(state_store: Store, out: Store, bundle: bytes, *,
            summary: Mapping[str, Any] | None = None) -> Publication:
    """Commit ``bundle`` as its country's publication for its run date, replacing any earlier
    one, then write the committed publication to the output store. See the module docstring."""
    manifest = manifest_of(bundle)
    country, run_date = str(manifest["country"]), str(manifest["run_date"])
    sha = hashlib.sha256(bundle).hexdigest()
    link = _check_chain_position(state_store, country, run_date, manifest)
    staged = staged_key(country, run_date, sha)
    state_store.write_bytes(staged, bundle, content_type="application/zip")
    ours = {
        "sha256": sha, "size": len(bundle), "staged": staged, "run_id": manifest.get("run_id"),
        "spreadsheet": out.location(spreadsheet_key(country, run_date)),
        "bundle": out.location(bundle_key(country, run_date)),
        "previous_run_date": link[0] if link else None,
        "previous_bundle_sha256": link[1] if link else None,
        "summary": dict(summary or {}),
    }
    _commit(state_store, country, run_date, ours)
    record = _write_outputs(state_store, out, country, run_date, ours)
    if record["sha256"] != sha:
        log.warning("%s %s: a later run replaced this one's publication (bundle %s) while it was written; "
                    "its files (bundle %s) are the ones published", country, run_date, sha, record["sha256"])
    return _publication(out, country, run_date, record, own_sha256=sha)


def restore(state_store: Store, out: Store, country: str, run_date: str) -> Publication | None:
    """Write the files of the date's committed publication again (after a crash between the two
    writes, or to repair altered outputs); None when the date has no commit."""
    record = state.read_json(state_store, state.chain_key(country, run_date))
    if not isinstance(record, dict):
        return None
    written = _write_outputs(state_store, out, country, run_date, record)
    return _publication(out, country, run_date, written, own_sha256=str(record["sha256"]))


def _publication(out: Store, country: str, run_date: str, record: Mapping[str, Any], *,
                 own_sha256: str) -> Publication:
    previous = record.get("previous_bundle_sha256")
    return Publication(country=country, run_date=run_date, spreadsheet=out.location(spreadsheet_key(country, run_date)),
                       bundle=out.location(bundle_key(country, run_date)), bundle_sha256=str(record["sha256"]),
                       previous_run_date=record.get("previous_run_date"),
                       previous_bundle_sha256=str(previous) if previous else None,
                       summary=dict(record.get("summary") or {}), own_sha256=own_sha256,
                       superseded=record["sha256"] != own_sha256)


def outputs_match(state_store: Store, out: Store, country: str, run_date: str) -> bool:
    """True when both SPEC files are the committed bundle and its own spreadsheet."""
    record = state.read_json(state_store, state.chain_key(country, run_date))
    bundle, sheet = out.read_bytes(bundle_key(country, run_date)), out.read_bytes(spreadsheet_key(country, run_date))
    if not isinstance(record, dict) or bundle is None or sheet is None:
        return False
    if hashlib.sha256(bundle).hexdigest() != record.get("sha256"):
        return False
    try:
        return spreadsheet_of(bundle, country, run_date) == sheet
    except (zipfile.BadZipFile, EvidenceError):
        return False


def _commit(store: Store, country: str, run_date: str, ours: Mapping[str, Any]) -> None:
    """Replace the commit record by compare-and-swap, carrying the replaced bundles forward."""
    key = state.chain_key(country, run_date)
    sha = ours["sha256"]
    for attempt in range(1, MAX_SWAPS + 1):
        found = store.read_versioned(key)
        current = json.loads(found[0]) if found else None
        history = superseded_of(current)
        if isinstance(current, dict) and current.get("sha256") and current["sha256"] != sha:
            history.append({k: current.get(k) for k in ("sha256", "staged", "run_id")})
        record = {**ours, "superseded": history}
        if store.swap_bytes(key, state.json_bytes(record), found[1] if found else None,
                            content_type="application/json") is not None:
            break
        log.info("%s %s: another run committed meanwhile (attempt %d); committing again over it",
                 country, run_date, attempt)
    else:
        raise PublishContention(f"{country} {run_date}: lost {MAX_SWAPS} commits in a row to other runs")
    # Read back: a later run may already have replaced us (fine: it carries us in its history),
    # or an endpoint that ignores conditional writes may have let another writer clobber us.
    confirmed = state.read_json(store, key)
    if not isinstance(confirmed, dict):
        raise EvidenceError(f"{key}: commit record unreadable after the commit")
    if confirmed.get("sha256") != sha and sha not in {e.get("sha256") for e in superseded_of(confirmed)}:
        log.warning("%s %s: our commit %s is not in the record's history: the store may not honour "
                    "conditional writes", country, run_date, sha)


def _write_outputs(store: Store, out: Store, country: str, run_date: str,
                   record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Write the record's spreadsheet, then its bundle; when a newer commit appears meanwhile,
    write the newer one's files instead. Returns the record whose files were written."""
    key = state.chain_key(country, run_date)
    for _ in range(MAX_SWAPS):
        bundle = _committed_bundle(store, record, country, run_date)
        files = ((spreadsheet_key(country, run_date), spreadsheet_of(bundle, country, run_date), XLSX_TYPE),
                 (bundle_key(country, run_date), bundle, "application/zip"))
        newer = None
        for out_key, data, content_type in files:
            newer = _fenced_write(store, out, key, record, out_key, data, content_type)
            if newer is not None:
                break
        if newer is None:
            return record
        record = newer
    raise PublishContention(f"{country} {run_date}: the publication changed {MAX_SWAPS} times while being written")


def _fenced_write(store: Store, out: Store, record_key: str, record: Mapping[str, Any], out_key: str, data: bytes,
                  content_type: str) -> Mapping[str, Any] | None:
    """Write ``data`` at ``out_key`` while ``record`` is the committed one: None when written, else
    the newer commit record. The file's version is read BEFORE the record is checked, so a newer
    run's write of this file (which follows its commit, which follows our check) changes the
    version and makes our swap fail."""
    for _ in range(MAX_SWAPS):
        version = out.version(out_key)
        current = state.read_json(store, record_key)
        if not isinstance(current, dict):
            raise EvidenceError(f"{record_key}: commit record vanished while publishing")
        if current.get("sha256") != record["sha256"]:
            return current
        if out.swap_bytes(out_key, data, version, content_type=content_type) is not None:
            return None
    raise PublishContention(f"{out_key}: lost {MAX_SWAPS} writes in a row to other runs")


def _check_chain_position(store: Store, country: str, run_date: str,
                          manifest: Mapping[str, Any]) -> tuple[str, str] | None:
    """The link to record for the bundle: its own, if it names the latest earlier date's
    committed bundle or a superseded one of that date (republished while this one was built).
    ChainMoved when it names another date (an earlier date was first published meanwhile)."""
    link = state.previous_bundle(store, country, run_date)
    linked_sha = manifest.get("previous_bundle_sha256")
    linked_date = manifest.get("previous_bundle_run_date")
    later = [d for d in state.chain_dates(store, country) if d > run_date]
    if later and store.exists(state.chain_key(country, run_date)):
        log.info("%s %s: republished after %s; their links name the bundle it supersedes, which is retained",
                 country, run_date, ", ".join(later))
    elif later:
        log.warning("%s %s: published after %s, whose bundle chains past this date", country, run_date,
                    ", ".join(later))
    if (link[1] if link else None) == linked_sha:
        return link
    if link is not None and linked_sha and linked_date == link[0]:
        record = state.read_json(store, state.chain_key(country, link[0]))
        if linked_sha in {e.get("sha256") for e in superseded_of(record)}:
            log.info("%s %s: %s was republished while this bundle was built; it chains to the superseded "
                     "bundle %s (retained)", country, run_date, link[0], linked_sha)
            return (link[0], str(linked_sha))
    raise ChainMoved(f"{country} {run_date}: an earlier date was published while the bundle was built "
                     f"(it links to {linked_sha}, the latest earlier bundle is {link[1] if link else None})")


def _committed_bundle(store: Store, record: Mapping[str, Any], country: str, run_date: str) -> bytes:
    """The committed bundle's bytes, checked against the record's SHA-256."""
    sha, staged = record.get("sha256"), record.get("staged")
    data = store.read_bytes(str(staged)) if staged else None
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        raise EvidenceError(f"{country} {run_date}: the committed bundle {sha} is missing or altered "
                            f"in the state store ({staged or 'no staged copy'})")
    return data


def resolve_previous(store: Store, country: str, manifest: Mapping[str, Any]) -> tuple[str, bool, bytes | None]:
    """How a bundle's predecessor resolves in the state store: (status, ok, the predecessor's bytes).

    The predecessor is the committed bundle of its date, or one that a later run of that date
    superseded and that is retained under ``published/<CC>/<D>/``. A bundle that was staged but
    never committed, a missing or altered retained copy, or an unknown hash is a break."""
    sha, date = manifest.get("previous_bundle_sha256"), manifest.get("previous_bundle_run_date")
    if not sha:
        return "first bundle of its country (no predecessor)", True, None
    if not date:  # a manifest from before the run date was recorded: find the date by the hash
        dates = [k.split("/")[2] for k in store.list_keys(f"published/{country}/") if k.endswith(f"/{sha}.zip")]
        if not dates:
            return f"break: previous bundle {sha} is not in the state store", False, None
        date = dates[0]
    record = state.read_json(store, state.chain_key(country, str(date)))
    if not isinstance(record, dict):
        return f"break: nothing is committed for {date}", False, None
    if record.get("sha256") == sha:
        kind = "the published bundle"
    elif sha in {e.get("sha256") for e in superseded_of(record)}:
        kind = "a superseded bundle"
    else:
        return f"break: previous bundle {sha} was never committed for {date}", False, None
    data = store.read_bytes(staged_key(country, str(date), str(sha)))
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        return f"break: {kind} of {date} ({sha}) is missing or altered in the state store", False, None
    suffix = " (retained)" if kind == "a superseded bundle" else ""
    return f"chains to {kind} of {date}{suffix}", True, data


def _link(store: Store, country: str, data: bytes) -> tuple[ChainLink, bytes | None]:
    manifest = manifest_of(data)
    status, ok, previous = resolve_previous(store, country, manifest)
    return ChainLink(run_date=str(manifest["run_date"]), sha256=hashlib.sha256(data).hexdigest(),
                     previous_run_date=manifest.get("previous_bundle_run_date"),
                     previous_sha256=manifest.get("previous_bundle_sha256"), status=status, ok=ok), previous


def follow_chain(store: Store, country: str, run_date: str) -> list[ChainLink]:
    """Follow the chain back from the date's committed bundle to the first one, through retained
    superseded bundles where a date was republished. Ends at the first bundle or the first break."""
    record = state.read_json(store, state.chain_key(country, run_date))
    if not isinstance(record, dict):
        return []
    links: list[ChainLink] = []
    data: bytes | None = _committed_bundle(store, record, country, run_date)
    while data is not None:
        link, data = _link(store, country, data)
        links.append(link)
    return links


def chain_report(store: Store, country: str) -> list[ChainLink]:
    """One link per committed date of the country, oldest first: how its bundle's predecessor resolves."""
    links = []
    for run_date in state.chain_dates(store, country):
        record = state.read_json(store, state.chain_key(country, run_date)) or {}
        links.append(_link(store, country, _committed_bundle(store, record, country, run_date))[0])
    return links
