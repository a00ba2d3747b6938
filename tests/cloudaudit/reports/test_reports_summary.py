"""Ordering, counts and exposure ages behind the Summary sheet."""

from __future__ import annotations

import dataclasses
import random

import pytest

from cloudaudit.model import Category, CoverageStatus, Finding, Severity, Status
from cloudaudit.reports.summary import (
    coverage_counts,
    days_open,
    fail_counts_by_category,
    fail_counts_by_severity,
    open_critical,
    sort_findings,
)
from tests.cloudaudit.reports.reportfactory import RUN_DATE, make_report


def _finding(**changes: object) -> Finding:
    base = dict(country="JP", environment="jp-prod", provider="aws", service="s3", resource="s3://b",
                location="ap-northeast-1", check_id="aws_s3_pii_public", check="PII public",
                category=Category.PII_EXPOSURE, severity=Severity.CRITICAL, status=Status.FAIL, detail="d")
    return Finding.model_validate({**base, **changes})


def test_sort_order_is_status_then_severity_then_resource_then_check() -> None:
    expected = [
        _finding(status=Status.FAIL, severity=Severity.CRITICAL, resource="s3://a", check_id="x"),
        _finding(status=Status.FAIL, severity=Severity.CRITICAL, resource="s3://a", check_id="y"),
        _finding(status=Status.FAIL, severity=Severity.CRITICAL, resource="s3://b", check_id="a"),
        _finding(status=Status.FAIL, severity=Severity.LOW, resource="s3://a", check_id="a"),
        _finding(status=Status.NOT_ASSESSED, severity=Severity.CRITICAL, resource="s3://a", check_id="a"),
        _finding(status=Status.NOT_ASSESSED, severity=Severity.INFO, resource="s3://a", check_id="a"),
        _finding(status=Status.PASS, severity=Severity.CRITICAL, resource="s3://a", check_id="a"),
    ]
    shuffled = expected[:]
    random.Random(3).shuffle(shuffled)
    assert sort_findings(shuffled) == expected


def test_counts_only_count_failures_and_list_every_severity() -> None:
    report = make_report(seed=4, n_findings=60)
    by_severity = fail_counts_by_severity(report.findings)
    assert list(by_severity) == list(Severity)
    for severity in Severity:
        assert by_severity[severity] == sum(
            1 for f in report.findings if f.status is Status.FAIL and f.severity is severity)
    by_category = fail_counts_by_category(report.findings)
    assert sum(by_category.values()) == sum(by_severity.values())
    assert fail_counts_by_severity([_finding(status=Status.PASS)]) == dict.fromkeys(Severity, 0)


def test_coverage_counts() -> None:
    report = make_report(seed=4)
    counts = coverage_counts(report.coverage)
    assert sum(counts.values()) == len(report.coverage)
    assert counts[CoverageStatus.NOT_ASSESSED] == sum(
        1 for r in report.coverage if r.status is CoverageStatus.NOT_ASSESSED)


@pytest.mark.parametrize(("first_seen", "expected"), [
    ("2026-11-20", 0), ("2026-11-19", 1), ("2026-10-21", 30), ("2025-11-20", 365), ("", 0), ("garbage", 0),
    ("2026-11-25", 0),  # a First Seen after the run date (clock skew) never gives a negative age
])
def test_days_open(first_seen: str, expected: int) -> None:
    assert days_open(first_seen, RUN_DATE) == expected


def test_open_critical_lists_only_failing_critical_findings_longest_open_first() -> None:
    old = _finding(resource="s3://old", first_seen="2026-10-01")
    new = _finding(resource="s3://new", first_seen="2026-11-20")
    others = [_finding(severity=Severity.HIGH, first_seen="2026-01-01"),
              _finding(status=Status.PASS), _finding(status=Status.NOT_ASSESSED)]
    rows = open_critical([new, *others, old], RUN_DATE)
    assert [(r.finding.resource, r.days_open) for r in rows] == [("s3://old", 50), ("s3://new", 0)]


def test_report_rows_are_frozen_tuples() -> None:
    report = make_report(seed=4, n_findings=2)
    assert isinstance(report.findings, tuple) and isinstance(report.coverage, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.country = "TH"  # type: ignore[misc]
