"""Presidio-style tables: one S3 facts row → status and detail, per check (no cloud, no GX)."""

from __future__ import annotations

import dataclasses

import pytest

from cloudaudit.checks.aws.s3.facts import object_facts
from cloudaudit.checks.base import evaluate
from cloudaudit.checks.registry import get_check
from cloudaudit.model import Provider, Status

from ...snapshots import ALL_USERS, acl, policy, s3_bucket, s3_row, sample, snapshot

POLICY = policy()


def judge(check_id: str, row: object) -> tuple[Status, str]:
    check = get_check(check_id)
    return evaluate(getattr(row, check.column), check.value_set(POLICY)), check.detail([row], POLICY)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "grants no public group"),
    ({"acl_public": True, "acl_public_grants": "AllUsers:READ"}, Status.FAIL, "grants AllUsers:READ"),
    # regression: a neutralised grant passes, and Detail names it
    ({"acl_public": False, "acl_public_grants": "AuthenticatedUsers:READ",
      "acl_neutralised_by": "IgnorePublicAcls (account)"}, Status.PASS, "neutralised by IgnorePublicAcls (account)"),
    ({"acl_public": None, "unreadable": "acl: GetBucketAcl: AccessDenied"}, Status.NOT_ASSESSED, "AccessDenied"),
])
def test_aws_s3_bucket_public_acl(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("aws_s3_bucket_public_acl", s3_row(**overrides))
    assert got_status is status
    assert detail in got_detail and "s3://clean" in got_detail


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "s3://clean has no bucket policy"),
    ({"has_policy": True}, Status.PASS, "Policy of s3://clean allows no anonymous access"),
    ({"policy_public": True, "has_policy": True, "policy_public_statements": "statement PublicRead (s3:GetObject)"},
     Status.FAIL, "is public: statement PublicRead"),
    ({"policy_public": False, "has_policy": True, "policy_limited_statements": "statement S1 (s3:GetObject) limited by aws:SourceIp"},
     Status.PASS, "not public: statement S1 (s3:GetObject) limited by aws:SourceIp"),
    ({"policy_public": False, "has_policy": True, "policy_public_statements": "statement P (s3:GetObject)",
      "policy_neutralised_by": "RestrictPublicBuckets (bucket)"}, Status.PASS, "neutralised by RestrictPublicBuckets"),
    ({"policy_public": None, "unreadable": "policy: GetBucketPolicy: AccessDenied"},
     Status.NOT_ASSESSED, "could not be judged"),
])
def test_aws_s3_bucket_public_policy(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("aws_s3_bucket_public_policy", s3_row(**overrides))
    assert got_status is status
    assert detail in got_detail


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "fully on"),
    ({"bpa_fully_on": False, "bpa_off_flags": "IgnorePublicAcls, RestrictPublicBuckets"},
     Status.FAIL, "off at bucket and account level for: IgnorePublicAcls, RestrictPublicBuckets"),
    ({"bpa_fully_on": None, "unreadable": "public_access_block: GetPublicAccessBlock: AccessDenied"},
     Status.NOT_ASSESSED, "could not be read"),
])
def test_aws_s3_block_public_access_off(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("aws_s3_block_public_access_off", s3_row(**overrides))
    assert (got_status, detail in got_detail) == (status, True)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "encrypts new objects by default (AES256)"),
    ({"encryption_on": False, "encryption_algorithms": ""}, Status.FAIL, "has no default encryption"),
    ({"encryption_on": None, "unreadable": "encryption: GetBucketEncryption: AccessDenied"},
     Status.NOT_ASSESSED, "could not be read"),
])
def test_aws_s3_default_encryption_off(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("aws_s3_default_encryption_off", s3_row(**overrides))
    assert (got_status, detail in got_detail) == (status, True)


def _object_row(**overrides: object) -> object:
    bucket = s3_bucket("data", public_access_block=None)
    row = object_facts(snapshot("jp-aws", Provider.AWS), bucket, sample("s3://data/k/x.csv", object_acl=acl()))
    return dataclasses.replace(row, **overrides)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "ACL of s3://data/k/x.csv grants no public group"),
    ({"acl_public": True, "acl_public_grants": "AllUsers:READ"}, Status.FAIL, "s3://data/k/x.csv grants AllUsers:READ"),
    ({"acl_public": False, "acl_public_grants": "AllUsers:READ", "acl_neutralised_by": "IgnorePublicAcls (bucket)"},
     Status.PASS, "neutralised by IgnorePublicAcls (bucket)"),
    ({"acl_public": None, "unreadable": "acl: GetObjectAcl: AccessDenied"}, Status.NOT_ASSESSED, "AccessDenied"),
    # an unreadable ACL that IgnorePublicAcls overrides cannot expose the object
    ({"acl_public": False, "acl_neutralised_by": "IgnorePublicAcls (account)", "unreadable": "acl: GetObjectAcl: X"},
     Status.PASS, "not read, but it cannot take effect: IgnorePublicAcls (account)"),
])
def test_aws_s3_object_public_acl(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("aws_s3_object_public_acl", _object_row(**overrides))
    assert got_status is status
    assert detail in got_detail


def test_object_row_names_the_object_and_its_bucket() -> None:
    bucket = s3_bucket("data", public_access_block=None)
    row = object_facts(snapshot("jp-aws", Provider.AWS, account={"public_access_block": None}), bucket,
                       sample("s3://data/k/x.csv", object_acl=acl(ALL_USERS)))
    assert (row.resource, row.bucket, row.acl_public) == ("s3://data/k/x.csv", "s3://data", True)
