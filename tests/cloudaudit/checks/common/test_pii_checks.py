"""Presidio-style tables for the PII_EXPOSURE and RESIDENCY rules, bound by all three providers."""

from __future__ import annotations

import pytest

from cloudaudit.checks.base import evaluate
from cloudaudit.checks.common.rows import PiiFacts
from cloudaudit.checks.registry import get_check
from cloudaudit.model import PiiType, Status

from ..snapshots import policy

POLICY = policy(allowed=("ap-northeast-1", "ASIA-NORTHEAST1"))
PII_CHECKS = ("aws_s3_pii_public", "gcp_gcs_pii_public", "gcp_bq_pii_public",
              "aws_s3_pii_residency", "gcp_gcs_pii_residency", "gcp_bq_pii_residency")


def pii_row(**overrides: object) -> PiiFacts:
    base: dict[str, object] = dict(
        fact_id=0, environment="jp-aws", resource="s3://crm", object="s3://crm/exports/customers.csv",
        field="my_number", pii_type=PiiType.NATIONAL_ID, rows_sampled=100, matches=98,
        masked_example="********0257", location="ap-northeast-1", public=False, public_via="")
    base.update(overrides)
    return PiiFacts(**base)  # type: ignore[arg-type]


def judge(check_id: str, rows: list[PiiFacts]) -> tuple[list[Status], str]:
    check = get_check(check_id)
    statuses = [evaluate(getattr(r, check.column), check.value_set(POLICY)) for r in rows]
    return statuses, check.detail(rows, POLICY)


@pytest.mark.parametrize("check_id", [c for c in PII_CHECKS if c.endswith("_public")])
@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "s3://crm holds NATIONAL_ID and is not publicly readable"),
    ({"public": True, "public_via": "bucket ACL"}, Status.FAIL,
     "s3://crm is readable by anyone (bucket ACL) and holds NATIONAL_ID: exports/customers.csv [my_number]"),
    ({"public": True, "public_via": "object ACL"}, Status.FAIL, "(object ACL)"),
    ({"public": None}, Status.NOT_ASSESSED, "could not be determined"),
])
def test_pii_public(check_id: str, overrides: dict[str, object], status: Status, detail: str) -> None:
    statuses, got = judge(check_id, [pii_row(**overrides)])
    assert statuses == [status]
    assert detail in got


@pytest.mark.parametrize("check_id", [c for c in PII_CHECKS if c.endswith("_residency")])
@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "in ap-northeast-1, an allowed location"),
    # regression: policies compare locations case-insensitively
    ({"location": "asia-northeast1"}, Status.PASS, "an allowed location"),
    ({"location": "us-east-1"}, Status.FAIL,
     "holds NATIONAL_ID of JP residents in us-east-1, outside the allowed locations "
     "(ap-northeast-1, asia-northeast1): exports/customers.csv [my_number]"),
    ({"location": None}, Status.NOT_ASSESSED, "location could not be read"),
])
def test_pii_residency(check_id: str, overrides: dict[str, object], status: Status, detail: str) -> None:
    statuses, got = judge(check_id, [pii_row(**overrides)])
    assert statuses == [status]
    assert detail in got


def test_detail_names_objects_once_and_counts_the_rest() -> None:
    rows = [pii_row(object=f"s3://crm/part-{i}.csv", field=name, public=True, public_via="bucket policy")
            for i in range(7) for name in ("name", "phone")]
    _, detail = judge("aws_s3_pii_public", rows)
    assert detail.count("part-0.csv [name, phone]") == 1
    assert "(+2 more objects)" in detail


def test_no_masked_example_in_details() -> None:
    row = pii_row(public=True, public_via="bucket ACL", location="us-east-1")
    for check_id in PII_CHECKS:
        assert row.masked_example not in judge(check_id, [row])[1]
