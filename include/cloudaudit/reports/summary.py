"""Pure functions over report rows: ordering, counts and exposure ages for the Summary sheet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from cloudaudit.model import Category, CoverageRow, CoverageStatus, Finding, Severity, Status

SEVERITY_ORDER = tuple(Severity)  # critical first
STATUS_ORDER = (Status.FAIL, Status.NOT_ASSESSED, Status.PASS)  # what needs action first
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}
_STATUS_RANK = {s: i for i, s in enumerate(STATUS_ORDER)}


def _sort_key(finding: Finding) -> tuple[int, int, str, str]:
    return (_STATUS_RANK[finding.status], _SEVERITY_RANK[finding.severity], finding.resource, finding.check_id)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The one order of findings (validate stores them so, the spreadsheet shows them so): by status
    (FAIL, NOT_ASSESSED, PASS), severity (critical first), resource (URIs name their project or
    bucket, so they do not repeat across environments), check."""
    return sorted(findings, key=_sort_key)


def fail_counts_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """FAIL findings per severity, every severity present (zeros included), critical first."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in findings:
        if finding.status is Status.FAIL:
            counts[finding.severity] += 1
    return counts


def fail_counts_by_category(findings: Iterable[Finding]) -> dict[Category, int]:
    counts = dict.fromkeys(Category, 0)
    for finding in findings:
        if finding.status is Status.FAIL:
            counts[finding.category] += 1
    return counts


def status_counts(findings: Iterable[Finding]) -> dict[Status, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for finding in findings:
        counts[finding.status] += 1
    return counts


def coverage_counts(coverage: Iterable[CoverageRow]) -> dict[CoverageStatus, int]:
    counts = dict.fromkeys(CoverageStatus, 0)
    for row in coverage:
        counts[row.status] += 1
    return counts


def days_open(first_seen: str, run_date: str) -> int:
    """Whole days from First Seen to the run date: 0 when the failure first appeared today.

    >>> days_open("2026-11-01", "2026-11-20"), days_open("", "2026-11-20")
    (19, 0)
    """
    try:
        since = date.fromisoformat(first_seen[:10])
    except ValueError:
        return 0  # no history: first seen on this run
    return max((date.fromisoformat(run_date) - since).days, 0)


@dataclass(frozen=True)
class OpenFinding:
    finding: Finding
    days_open: int


def open_critical(findings: Sequence[Finding], run_date: str) -> list[OpenFinding]:
    """Critical FAIL findings, longest open first."""
    rows = [OpenFinding(f, days_open(f.first_seen, run_date)) for f in findings
            if f.status is Status.FAIL and f.severity is Severity.CRITICAL]
    return sorted(rows, key=lambda r: (-r.days_open, r.finding.resource, r.finding.check_id))
