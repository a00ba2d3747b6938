"""What crosses the daily job's task boundaries, typed.

XCom carries small JSON values only, declared here as TypedDicts (at run time plain dicts):

    plan ─► Chunk ─► extract ─► [ExtractSummary] ─► by_country ─► Job ─► validate ─► ValidatedRef ─► publish

The validate → publish hand-over itself is too large for XCom: ``ValidationRecord`` is
written to the state store beside the snapshots (``store.state.write_validation``) and
read back, validated, by publish; XCom carries its key.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from pydantic import BaseModel, ConfigDict

from cloudaudit.config import CountryPolicy
from cloudaudit.model import CoverageRow, Finding, PiiInventoryRow, ResourceRow, Snapshot


class Chunk(TypedDict):
    """One mapped extract task: environments of one country."""

    country: str
    environments: list[str]
    run_date: str  # YYYY-MM-DD
    mode: str  # auto | replay | live
    rescan: NotRequired[str]  # incremental (default) | full: see cloudaudit.incremental


class ExtractSummary(TypedDict):
    """What extract says about one environment: counts and where its snapshot is, no values."""

    environment: str
    country: str
    snapshot: str | None  # state key; None when no snapshot was written (replay without one)
    source: str  # live | replay
    status: str  # CoverageStatus value
    reason: str | None
    resources: int
    samples: int
    fields_with_pii: int


class Missing(TypedDict):
    """An environment of the country without a snapshot, and why."""

    environment: str
    reason: str


class Job(TypedDict):
    """One validate task: a country's snapshots for the run date."""

    country: str
    run_date: str
    snapshots: list[str]  # state keys
    missing: list[Missing]


class ValidatedRef(TypedDict):
    """validate → publish over XCom: where the ValidationRecord is, and FAIL counts for the log."""

    country: str
    run_date: str
    validation: str  # state key of the ValidationRecord
    fail_by_severity: dict[str, int]


class ValidationRecord(BaseModel):
    """One country's validation, as publish needs it; stored in the state store, never in XCom."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str
    run_date: str
    policy: CountryPolicy
    snapshots: tuple[str, ...]  # state keys of the snapshots validated
    findings: tuple[Finding, ...]
    pii_inventory: tuple[PiiInventoryRow, ...]
    resources: tuple[ResourceRow, ...]
    coverage: tuple[CoverageRow, ...]
    gx_results: dict[str, dict[str, Any]]  # suite name → Great Expectations result (JSON)
    data_docs: dict[str, str]  # bundle member path → HTML
    not_assessed: tuple[Snapshot, ...]  # stand-ins for environments without a snapshot
