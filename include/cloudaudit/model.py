"""The shared vocabulary and the snapshot format.

Closed vocabularies are StrEnums holding the SPEC's exact strings. A snapshot is what the
extract task writes for one environment and run date: configuration plus per-field
detection results, never raw sample values. It is a pydantic model so that a snapshot read
back from disk is validated, and so that its JSON form is the single definition of the format.

Configuration conventions (shared by collectors and checks):
- ``Resource.config[key]`` holds what the cloud said; "not set" is an explicit empty value
  (``None`` for a missing bucket policy, public access block or encryption).
- A key that could not be read is absent from ``config`` and named in ``read_errors``
  (``{"acl": "GetBucketAcl: AccessDenied"}``); checks over it are NOT_ASSESSED, never PASS.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

SNAPSHOT_SCHEMA_VERSION = 1
TEXT_FIELD = "(text)"  # the field of free text: a plain-text object, a JSON string, an XLSX row


class PiiType(StrEnum):
    PERSON_NAME = "PERSON_NAME"
    ADDRESS = "ADDRESS"
    PHONE_NUMBER = "PHONE_NUMBER"
    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    NATIONAL_ID = "NATIONAL_ID"
    VEHICLE_REGISTRATION = "VEHICLE_REGISTRATION"
    VIN = "VIN"
    CREDIT_CARD = "CREDIT_CARD"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    GEO_LOCATION = "GEO_LOCATION"
    IP_ADDRESS = "IP_ADDRESS"


class Provider(StrEnum):
    AWS = "aws"
    GCP = "gcp"


class Service(StrEnum):
    S3 = "s3"
    BIGQUERY = "bq"
    STORAGE = "gcs"


class CoverageStatus(StrEnum):
    ASSESSED = "ASSESSED"
    PARTIAL = "PARTIAL"
    NOT_ASSESSED = "NOT_ASSESSED"


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_ASSESSED = "NOT_ASSESSED"


class Category(StrEnum):
    ACCESS = "ACCESS"
    PROTECTION = "PROTECTION"
    PII_EXPOSURE = "PII_EXPOSURE"
    RESIDENCY = "RESIDENCY"
    COVERAGE = "COVERAGE"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PiiMatch(_Model):
    """One PII type found in one field. ``masked_example`` keeps at most the last 4 characters."""

    pii_type: PiiType
    matches: int
    confidence: float = 1.0
    masked_example: str = ""
    detectors: tuple[str, ...] = ()


class FieldResult(_Model):
    """Detection result for one field: a column, a JSON key path, ``Sheet!Header`` or ``(text)``."""

    field: str
    rows_sampled: int
    non_empty: int = 0
    pii: tuple[PiiMatch, ...] = ()

    @property
    def pii_types(self) -> tuple[PiiType, ...]:
        return tuple(sorted(m.pii_type for m in self.pii))


class SampleResult(_Model):
    """One sampled object (or a BigQuery table's rows): never its values, only what was found."""

    resource: str  # s3://b/k, gs://b/o, bq://p.d.t
    status: CoverageStatus = CoverageStatus.ASSESSED  # PARTIAL when skipped (reason says why)
    reason: str = ""
    format: str = ""
    size: int | None = None
    bytes_read: int = 0
    rows_sampled: int = 0
    truncated: bool = False
    config: dict[str, Any] = Field(default_factory=dict)  # e.g. the object's ACL
    read_errors: dict[str, str] = Field(default_factory=dict)
    fields: tuple[FieldResult, ...] = ()
    # Incremental re-scans (``cloudaudit.incremental``): what the listing said of the content
    # (ETag / generation / table etag, size, last-modified), and, when the detection results
    # were carried over instead of read again, the run date of the snapshot that read them.
    fingerprint: dict[str, str | int | None] = Field(default_factory=dict)
    carried_over_from: str | None = None


class Resource(_Model):
    """A bucket, dataset or table with its configuration and the samples taken from it."""

    resource: str
    provider: Provider
    service: Service
    kind: str  # bucket | dataset | table
    location: str = ""  # provider code in lower case
    status: CoverageStatus = CoverageStatus.ASSESSED
    reason: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    read_errors: dict[str, str] = Field(default_factory=dict)
    samples: tuple[SampleResult, ...] = ()

    @property
    def objects_sampled(self) -> int:
        return sum(1 for s in self.samples if s.status is CoverageStatus.ASSESSED)

    @property
    def rows_sampled(self) -> int:
        return sum(s.rows_sampled for s in self.samples)


class IncrementalRecord(_Model):
    """How a live snapshot was read: ``rescan`` ``full`` (every object read) or ``incremental``
    (unchanged objects' detection results carried over from ``previous_run_date``'s snapshot).
    ``detection`` digests what decides a detection result (code, limits, country): results
    read under another digest are never carried over."""

    rescan: str = "full"
    detection: str = ""
    previous_run_date: str | None = None
    carried_over: int = 0
    read: int = 0


class EnvironmentRef(_Model):
    """What a snapshot records of the environment it came from."""

    name: str
    country: str
    provider: Provider
    account_id: str | None = None
    project_id: str | None = None


class Snapshot(_Model):
    """One environment on one run date: configuration + detection results, no raw values."""

    schema_version: int = SNAPSHOT_SCHEMA_VERSION
    environment: EnvironmentRef
    run_date: str  # YYYY-MM-DD, the run's logical date (UTC)
    captured_at: str  # ISO 8601 UTC, when the cloud was actually read
    mode: str = "live"  # how this snapshot came to be: live extraction
    status: CoverageStatus = CoverageStatus.ASSESSED  # NOT_ASSESSED: environment unreachable/denied
    reason: str = ""
    account: dict[str, Any] = Field(default_factory=dict)  # environment-level config (S3 account BPA)
    account_read_errors: dict[str, str] = Field(default_factory=dict)
    resources: tuple[Resource, ...] = ()
    limits: dict[str, int] = Field(default_factory=dict)
    duration_s: float = 0.0
    incremental: IncrementalRecord | None = None

    @property
    def captured_late(self) -> bool:
        """True when the configuration was read after the run date (a late backfill)."""
        return self.captured_at[:10] > self.run_date


# ---- report rows: one model per spreadsheet sheet, columns in the SPEC's order ----------


class Finding(_Model):
    """A row of the `Findings` sheet."""

    country: str
    environment: str
    provider: str
    service: str
    resource: str
    location: str
    check_id: str
    check: str
    category: Category
    severity: Severity
    status: Status
    detail: str
    pii_types: tuple[PiiType, ...] = ()
    first_seen: str = ""
    evidence: str = ""
    remediation: str = ""

    @field_validator("country", "environment", "provider", "service", "location", "check_id", "check",
                     "first_seen", "evidence", "remediation")
    @classmethod
    def _one_copy(cls, value: str) -> str:
        """A country's findings repeat a few check titles, remediations and places thousands of
        times: read back from JSON, each would be a copy of its own (issue 18: flat memory)."""
        return sys.intern(value)

    @property
    def key(self) -> tuple[str, str]:
        return (self.check_id, self.resource)


class PiiInventoryRow(_Model):
    """A row of the `PII Inventory` sheet: one per (resource, field, PII type)."""

    country: str
    environment: str
    provider: str
    resource: str
    location: str
    field: str
    pii_type: PiiType
    rows_sampled: int
    matches: int
    masked_example: str
    public: bool | None  # None: whether it is public could not be determined


class CoverageRow(_Model):
    """A row of the `Coverage` sheet."""

    country: str
    environment: str
    provider: str
    service: str
    resource: str
    status: CoverageStatus
    reason: str
    objects_sampled: int
    rows_sampled: int


class ResourceRow(_Model):
    """A row of the `Resources` sheet: every bucket, dataset and table seen."""

    country: str
    environment: str
    provider: str
    service: str
    resource: str
    kind: str
    location: str
    public: bool | None  # None: could not be determined
    pii_types: tuple[PiiType, ...] = ()
    status: CoverageStatus = CoverageStatus.ASSESSED
    notes: str = ""


FINDINGS_COLUMNS = ("Country", "Environment", "Provider", "Service", "Resource", "Location", "Check ID",
                    "Check", "Category", "Severity", "Status", "Detail", "PII Types", "First Seen", "Evidence")
PII_INVENTORY_COLUMNS = ("Country", "Environment", "Provider", "Resource", "Location", "Field", "PII Type",
                         "Rows Sampled", "Matches", "Masked Example", "Public")
COVERAGE_COLUMNS = ("Country", "Environment", "Provider", "Service", "Resource", "Status", "Reason",
                    "Objects Sampled", "Rows Sampled")


@dataclass(frozen=True, repr=False)
class Sample:
    """Values of one sampled object or table, by field, in memory only: it may hold raw PII, so
    it never prints its values, and it never leaves the extract task.

    ``fields`` maps a field name (column, ``a.b[].c`` key path, ``Sheet!Header``, ``column_<n>``
    or ``(text)``) to its values as strings (``None`` for an empty cell). ``rows`` is the number
    of records (lines for text) read. ``truncated``: a bound was reached. ``partial``: why the
    object could not be read to its bounds (it never quotes content); callers record such a
    sample as PARTIAL with this reason, never as clean. Formats produce it; PII detection reads it.
    """

    format: str
    fields: dict[str, list[str | None]] = dataclass_field(default_factory=dict)
    rows: int = 0
    truncated: bool = False
    partial: str = ""

    def __repr__(self) -> str:
        return (f"Sample(format={self.format!r}, fields={len(self.fields)}, rows={self.rows}, "
                f"truncated={self.truncated}, partial={self.partial!r})")

    __str__ = __repr__
