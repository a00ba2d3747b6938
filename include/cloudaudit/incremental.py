"""Incremental re-scans: an unchanged object's detection results are carried over, not read again.

A live extract builds a ``CarryOver`` from the newest earlier snapshot of the same environment
(``store.carryover.previous_snapshot``). When a collector lists an object (or gets a BigQuery
table) whose ``Fingerprint`` (ETag / generation / table etag, size, last-modified, rows) equals
the one recorded beside that object's previous result, and the previous result was ASSESSED
under the same ``detection_digest`` (detection code, the limits that shape a sample, the
country, library versions), the collector reuses that result without downloading the object
and marks it ``carried_over_from: <run date of the snapshot that read it>``.

Anything else is read again: a different or missing fingerprint, no previous record, a previous
PARTIAL or NOT_ASSESSED result, another detection digest, an environment whose account or
project changed, or ``rescan=full`` (the DAG param, or ``CLOUDAUDIT_RESCAN=full``).
Configuration (ACLs, IAM, settings) is always read fresh: only detection results carry over.

Pure: no I/O here; the previous snapshot comes from the store, the fingerprints from the listings.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudaudit.errors import ConfigError
from cloudaudit.model import CoverageStatus, IncrementalRecord, Resource, SampleResult, Snapshot

if TYPE_CHECKING:
    from cloudaudit.config import Environment, Limits

__all__ = ["FULL", "INCREMENTAL", "RESCAN_MODES", "RESCAN_VARIABLE", "CarryOver", "Fingerprint", "carried",
           "detection_digest", "incremental_record", "rescan_mode"]

INCREMENTAL = "incremental"
FULL = "full"
RESCAN_MODES = (INCREMENTAL, FULL)
RESCAN_VARIABLE = "CLOUDAUDIT_RESCAN"  # ``full``: every run reads every object, whatever the DAG param says
# The limits that shape one object's sample, hence its detection result. The others (how many
# objects, keys, resources, workers, timeouts) decide what is read, not what a read finds.
DETECTION_LIMITS = ("max_object_bytes", "max_decompressed_bytes", "max_rows", "max_fields", "max_cell_chars")
# What decides a detection result besides the limits: these modules and the validating libraries.
_DETECTION_SOURCES = ("pii", "formats", "sampling.py")
_DETECTION_LIBRARIES = ("python-stdnum", "phonenumbers", "pyarrow", "openpyxl")


def rescan_mode(param: object = None) -> str:
    """``full`` when the run's param or ``CLOUDAUDIT_RESCAN`` asks for it, else ``incremental``.

    >>> rescan_mode(None), rescan_mode("full"), rescan_mode("INCREMENTAL")
    ('incremental', 'full', 'incremental')
    """
    values = [str(v).strip().lower() for v in (param, os.environ.get(RESCAN_VARIABLE)) if v]
    for value in values:
        if value not in RESCAN_MODES:
            raise ConfigError(f"rescan: expected one of {', '.join(RESCAN_MODES)}, got {value!r}")
    return FULL if FULL in values else INCREMENTAL


@dataclass(frozen=True)
class Fingerprint:
    """What a listing says of an object's content, without reading it.

    ``version``: the S3 ETag, the Cloud Storage generation or the BigQuery table etag; ``""``
    when the cloud gave none (such an object is never carried over). ``modified``: last-modified
    as ISO 8601. ``rows``: a table's row count (``None`` for objects).
    """

    version: str
    size: int | None
    modified: str
    rows: int | None = None

    @classmethod
    def of(cls, version: object, size: object, modified: object, rows: object = None) -> Fingerprint:
        """From the listing's raw values (an ETag with its quotes, a datetime or a string).

        >>> Fingerprint.of('"9b2c"', 12, "2026-11-20T01:02:03+00:00").version
        '9b2c'
        """
        when = modified.isoformat() if isinstance(modified, datetime) else str(modified or "")
        return cls(version=str(version or "").strip('"'), size=None if size is None else int(str(size)),
                   modified=when, rows=None if rows is None else int(str(rows)))

    @property
    def usable(self) -> bool:
        """Both an identity and a time: without them "unchanged" cannot be told."""
        return bool(self.version and self.modified)

    def record(self) -> dict[str, str | int | None]:
        """As stored on ``SampleResult.fingerprint`` (empty when unusable: nothing to compare later)."""
        if not self.usable:
            return {}
        out: dict[str, str | int | None] = {"version": self.version, "size": self.size, "modified": self.modified}
        if self.rows is not None:
            out["rows"] = self.rows
        return out


def _package_root() -> Path:
    return Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def detection_code_digest() -> str:
    """SHA-256 over the detection and parsing sources (and the versions of the libraries that
    validate and parse): a change to any of them re-reads every object once."""
    from importlib.metadata import PackageNotFoundError, version

    from cloudaudit import __version__

    digest = hashlib.sha256(f"cloudaudit {__version__}\n".encode())
    root = _package_root()
    for name in _DETECTION_SOURCES:
        base = root / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            if path.suffix in (".pyc", ".pyo") or "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for library in _DETECTION_LIBRARIES:
        try:
            digest.update(f"{library} {version(library)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{library} -\n".encode())
    return digest.hexdigest()


def detection_digest(limits: Limits, country: str) -> str:
    """What decides a detection result for one environment: code, sample-shaping limits, country."""
    shaping = {name: getattr(limits, name) for name in DETECTION_LIMITS}
    payload = json.dumps({"code": detection_code_digest(), "limits": shaping, "country": country.upper()},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def carried(prior: SampleResult, *, config: Mapping[str, Any], read_errors: Mapping[str, str]) -> SampleResult:
    """``prior``'s detection results with this run's configuration (e.g. the object's ACL, read
    fresh), marked with the run date of the snapshot that actually read the object."""
    return prior.model_copy(update={"config": dict(config), "read_errors": dict(read_errors)})


class CarryOver:
    """The previous snapshot's reusable samples, by resource (``s3://b/k``, ``gs://b/o``, ``bq://p.d.t``).

    Read-only once built, so the collectors' threads share it without a lock.
    """

    def __init__(self, detection: str, previous: Snapshot | None = None) -> None:
        self.detection = detection
        self.previous_run_date: str | None = None
        self._samples: dict[str, SampleResult] = {}
        if previous is not None and _same_detection(previous, detection):
            self.previous_run_date = previous.run_date
            self._samples = {s.resource: s for r in previous.resources for s in r.samples if _reusable(s)}

    @classmethod
    def for_environment(cls, env: Environment, limits: Limits, previous: Snapshot | None) -> CarryOver:
        """The index for ``env`` from its previous snapshot; empty unless that snapshot is of the
        same account or project and was read live with the same detection digest."""
        digest = detection_digest(limits, env.country)
        if previous is not None and not _same_environment(previous, env):
            previous = None
        return cls(digest, previous)

    def __len__(self) -> int:
        return len(self._samples)

    def reuse(self, resource: str, fingerprint: Fingerprint) -> SampleResult | None:
        """The previous result of ``resource``, marked carried over, when its content is unchanged."""
        prior = self._samples.get(resource)
        if prior is None or not fingerprint.usable or prior.fingerprint != fingerprint.record():
            return None
        return prior.model_copy(update={"carried_over_from": prior.carried_over_from or self.previous_run_date})


def _reusable(sample: SampleResult) -> bool:
    """Only a complete, successful read is worth carrying: PARTIAL and NOT_ASSESSED are read again."""
    return sample.status is CoverageStatus.ASSESSED and bool(sample.fingerprint)


def _same_detection(previous: Snapshot, detection: str) -> bool:
    record = previous.incremental
    return (previous.status is CoverageStatus.ASSESSED and record is not None and record.detection == detection
            and previous.mode == "live")


def _same_environment(previous: Snapshot, env: Environment) -> bool:
    ref = previous.environment
    return (ref.name == env.name and ref.provider.value == env.provider and ref.account_id == env.account_id
            and ref.project_id == env.project_id and ref.country == env.country)


def incremental_record(rescan: str, carry: CarryOver, resources: Iterable[Resource]) -> IncrementalRecord:
    """What the snapshot says of how it was read: counts of carried-over and freshly read samples."""
    samples = [s for r in resources for s in r.samples]
    carried_over = sum(1 for s in samples if s.carried_over_from)
    read = sum(1 for s in samples if not s.carried_over_from and s.bytes_read + s.rows_sampled > 0)
    return IncrementalRecord(rescan=rescan, detection=carry.detection, previous_run_date=carry.previous_run_date,
                             carried_over=carried_over, read=read)
