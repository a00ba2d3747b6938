"""What one country's compliance report holds: the rows of every sheet plus the run's context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cloudaudit.breach.report import NotificationRow
from cloudaudit.config import CountryPolicy
from cloudaudit.model import CoverageRow, Finding, PiiInventoryRow, ResourceRow


@dataclass(frozen=True)
class CountryReport:
    """One country on one run date; rendered to the spreadsheet, its facts also go into the bundle.

    Times are ISO 8601 strings in UTC. ``captured_at_min``/``max`` span the snapshots the
    report was built from (None when no environment was captured at all); ``captured_late``
    is True when any of them was read after the run date (a late backfill).
    Row sequences are stored as tuples, so a report cannot change once built.
    """

    country: str
    run_date: str  # YYYY-MM-DD
    captured_at_min: str | None
    captured_at_max: str | None
    captured_late: bool
    policy: CountryPolicy
    findings: Sequence[Finding]
    pii_inventory: Sequence[PiiInventoryRow]
    resources: Sequence[ResourceRow]
    coverage: Sequence[CoverageRow]
    generated_at: str
    dag_id: str
    run_id: str
    tool_version: str
    notification: Sequence[NotificationRow] = ()  # per exposure and rule in force (issue 16); after the SPEC sheets

    def __post_init__(self) -> None:
        for name in ("findings", "pii_inventory", "resources", "coverage", "notification"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
