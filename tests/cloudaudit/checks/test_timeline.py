"""First Seen: the start of the unbroken daily run of FAILs ending at the run date."""

from __future__ import annotations

import pytest

from cloudaudit.checks.timeline import apply_first_seen
from cloudaudit.model import Category, Finding, Severity, Status

KEY = ("aws_s3_pii_public", "s3://crm")


def finding(status: Status = Status.FAIL, resource: str = "s3://crm") -> Finding:
    return Finding(country="JP", environment="jp-aws", provider="aws", service="s3", resource=resource,
                   location="ap-northeast-1", check_id="aws_s3_pii_public", check="t",
                   category=Category.PII_EXPOSURE, severity=Severity.CRITICAL, status=status, detail="d")


@pytest.mark.parametrize(("history", "run_date", "expected"), [
    ({}, "2026-11-20", "2026-11-20"),  # new today
    ({"2026-11-19": {KEY}}, "2026-11-20", "2026-11-19"),
    ({"2026-11-17": {KEY}, "2026-11-18": {KEY}, "2026-11-19": {KEY}}, "2026-11-20", "2026-11-17"),
    ({"2026-11-17": {KEY}, "2026-11-19": {KEY}}, "2026-11-20", "2026-11-19"),  # no run on the 18th: a break
    ({"2026-11-17": {KEY}, "2026-11-18": set(), "2026-11-19": {KEY}}, "2026-11-20", "2026-11-19"),  # passed
    ({"2026-11-19": {("aws_s3_pii_public", "s3://other")}}, "2026-11-20", "2026-11-20"),  # another resource
    ({"2026-11-21": {KEY}}, "2026-11-20", "2026-11-20"),  # later runs do not count (backfill)
    ({"2026-10-30": {KEY}, "2026-10-31": {KEY}}, "2026-11-01", "2026-10-30"),  # across a month boundary
])
def test_first_seen(history: dict[str, set[tuple[str, str]]], run_date: str, expected: str) -> None:
    [result] = apply_first_seen([finding()], history, run_date)
    assert result.first_seen == expected


def test_only_failures_get_a_first_seen() -> None:
    history = {"2026-11-19": {KEY}}
    results = apply_first_seen([finding(Status.PASS), finding(Status.NOT_ASSESSED), finding()], history, "2026-11-20")
    assert [f.first_seen for f in results] == ["", "", "2026-11-19"]
