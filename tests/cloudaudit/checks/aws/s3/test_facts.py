"""S3 configuration → facts: what counts as public, as S3 enforces it."""

from __future__ import annotations

from typing import Any

import pytest

from cloudaudit.checks.aws.s3.facts import bucket_facts, policy_statements, public_grants, s3_facts
from cloudaudit.model import CoverageStatus, PiiType, Provider, Snapshot

from ...snapshots import (
    ALL_USERS,
    AUTH_USERS,
    BPA_OFF,
    BPA_ON,
    acl,
    boto_acl,
    field,
    public_read_policy,
    s3_bucket,
    sample,
    snapshot,
)


def facts(account_bpa: Any = None, account_errors: dict[str, str] | None = None, **bucket: Any) -> Any:
    account = {} if account_errors else {"public_access_block": account_bpa}
    snap = snapshot("jp-aws", Provider.AWS, account=account, account_errors=account_errors)
    return bucket_facts(snap, s3_bucket("b", **bucket))


def test_public_acl_grant_is_public_without_block_public_access() -> None:
    row = facts(acl=acl(ALL_USERS, AUTH_USERS), public_access_block=None)
    assert (row.acl_public, row.acl_public_grants) == (True, "AllUsers:READ, AuthenticatedUsers:READ")
    assert (row.public, row.public_via) == (True, "bucket ACL")


def test_boto_raw_grants_shape_is_understood() -> None:
    assert public_grants(boto_acl(ALL_USERS)) == ["AllUsers:READ"]
    assert facts(acl=boto_acl(AUTH_USERS), public_access_block=None).acl_public is True


@pytest.mark.parametrize(("bucket_bpa", "account_bpa", "source"), [
    ({**BPA_OFF, "IgnorePublicAcls": True}, None, "IgnorePublicAcls (bucket)"),
    (None, {**BPA_OFF, "IgnorePublicAcls": True}, "IgnorePublicAcls (account)"),
    (BPA_ON, BPA_ON, "IgnorePublicAcls (bucket+account)"),
])
def test_ignore_public_acls_neutralises_the_grant(bucket_bpa: Any, account_bpa: Any, source: str) -> None:
    row = facts(acl=acl(ALL_USERS), public_access_block=bucket_bpa, account_bpa=account_bpa)
    assert row.acl_public is False
    assert row.acl_public_grants == "AllUsers:READ"  # the neutralised grant is still named
    assert row.acl_neutralised_by == source
    assert row.public is False


def test_bucket_owner_enforced_disables_acls() -> None:
    row = facts(acl=acl(ALL_USERS), public_access_block=None,
                ownership_controls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert (row.acl_public, row.acl_neutralised_by) == (False, "ACLs disabled (BucketOwnerEnforced)")


def test_a_bucket_acl_not_read_because_acls_are_disabled_is_not_public_nor_unknown() -> None:
    from cloudaudit.collectors.aws.s3.buckets import ACLS_DISABLED

    row = facts(acl=dict(ACLS_DISABLED), public_access_block=None,
                ownership_controls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert (row.acl_public, row.acl_public_read, row.public, row.unreadable) == (False, False, False, "")


def test_block_public_policy_alone_does_not_neutralise_an_existing_policy() -> None:
    row = facts(policy=public_read_policy("b"), public_access_block={**BPA_OFF, "BlockPublicPolicy": True})
    assert row.policy_public is True
    assert "statement PublicRead (s3:GetObject)" in row.policy_public_statements


@pytest.mark.parametrize(("bucket_bpa", "account_bpa"), [
    ({**BPA_OFF, "RestrictPublicBuckets": True}, None),
    (None, {**BPA_OFF, "RestrictPublicBuckets": True}),
])
def test_restrict_public_buckets_neutralises_a_public_policy(bucket_bpa: Any, account_bpa: Any) -> None:
    row = facts(policy=public_read_policy("b"), public_access_block=bucket_bpa, account_bpa=account_bpa)
    assert row.policy_public is False
    assert row.policy_neutralised_by.startswith("RestrictPublicBuckets")
    assert row.policy_public_statements  # named, though neutralised


@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
    {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringEquals": {"aws:SourceVpc": "vpc-111bbb22"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}},  # any role of one account
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.7/32"]}},
])
def test_statements_pinned_to_a_network_or_organisation_are_not_public(condition: dict[str, Any]) -> None:
    row = facts(policy=public_read_policy("b", condition), public_access_block=None)
    assert row.policy_public is False
    key = next(iter(next(iter(condition.values()))))
    assert f"limited by {key}" in row.policy_limited_statements


@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},  # the whole internet
    {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},  # everyone else
    {"StringLike": {"aws:PrincipalOrgID": "*"}},  # any organisation
    {"StringEquals": {"s3:ExistingObjectTag/public": "yes"}},  # not about the caller
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},  # any account
    {"StringLike": {"aws:SourceVpce": "vpce-*"}},  # any endpoint
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"]}},  # one range opens it all
    {"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}},  # absent key lets callers through
])
def test_conditions_that_do_not_pin_the_caller_stay_public(condition: dict[str, Any]) -> None:
    assert facts(policy=public_read_policy("b", condition), public_access_block=None).policy_public is True


def test_principal_shapes() -> None:
    for principal in ("*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111111111111:root", "*"]}):
        doc = {"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject"}]}
        assert policy_statements(doc)[0], principal
    named = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                            "Action": "s3:*"}]}
    deny = {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}]}
    assert policy_statements(named) == ([], []) and policy_statements(deny) == ([], [])


def test_block_public_access_combines_bucket_and_account_per_flag() -> None:
    row = facts(public_access_block={**BPA_OFF, "BlockPublicAcls": True, "IgnorePublicAcls": True},
                account_bpa={**BPA_OFF, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    assert row.bpa_fully_on is True
    assert "BlockPublicPolicy: account" in row.bpa_sources
    off = facts(public_access_block={**BPA_OFF, "BlockPublicAcls": True}, account_bpa=None)
    assert (off.bpa_fully_on, off.bpa_off_flags) == (False, "IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets")


def test_account_level_block_public_access_alone_suffices() -> None:
    row = facts(public_access_block=None, account_bpa=BPA_ON, acl=acl(ALL_USERS), policy=public_read_policy("b"))
    assert (row.bpa_fully_on, row.acl_public, row.policy_public, row.public) == (True, False, False, False)


def test_unreadable_account_setting_leaves_open_buckets_unknown() -> None:
    errors = {"public_access_block": "GetPublicAccessBlock: AccessDenied"}
    row = facts(public_access_block=None, account_errors=errors, acl=acl(ALL_USERS))
    assert (row.bpa_fully_on, row.acl_public) == (None, None)
    closed = facts(public_access_block=BPA_ON, account_errors=errors, acl=acl(ALL_USERS))
    assert (closed.bpa_fully_on, closed.acl_public) == (True, False)  # the bucket's own setting decides


def test_unreadable_keys_give_null_facts_never_a_pass() -> None:
    row = facts(unreadable={"acl": "GetBucketAcl: AccessDenied", "policy": "GetBucketPolicy: AccessDenied",
                            "policy_status": "GetBucketPolicyStatus: AccessDenied",
                            "encryption": "GetBucketEncryption: AccessDenied", "location": "GetBucketLocation: X"},
                public_access_block=None)
    assert (row.acl_public, row.policy_public, row.encryption_on, row.location) == (None, None, None, None)
    assert "acl: GetBucketAcl: AccessDenied" in row.unreadable


def test_policy_status_is_the_fallback_when_the_document_is_unreadable() -> None:
    denied = {"policy": "GetBucketPolicy: AccessDenied"}
    assert facts(unreadable=denied, policy_status={"IsPublic": True}, public_access_block=None).policy_public is True
    # no policy status (NoSuchBucketPolicy) means no policy at all
    assert facts(unreadable=denied, policy_status=None, public_access_block=None).policy_public is False


def test_encryption_shapes() -> None:
    assert facts(encryption=None).encryption_on is False
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
    assert (facts(encryption=kms).encryption_on, facts(encryption=kms).encryption_algorithms) == (True, "aws:kms")


def _estate(**bucket: Any) -> Snapshot:
    return snapshot("jp-aws", Provider.AWS, s3_bucket("crm", **bucket), account={"public_access_block": None})


def test_pii_rows_name_the_bucket_and_take_the_object_acl_into_account() -> None:
    samples = (
        sample("s3://crm/a.csv", field("name", PiiType.PERSON_NAME), field("id", PiiType.NATIONAL_ID), object_acl=acl()),
        sample("s3://crm/b.csv", field("phone", PiiType.PHONE_NUMBER), object_acl=acl(ALL_USERS)),
        sample("s3://crm/c.bin", status=CoverageStatus.PARTIAL, reason="unsupported format"),
    )
    buckets, objects, pii = s3_facts([_estate(public_access_block=None, samples=samples)])
    assert [b.resource for b in buckets] == ["s3://crm"]
    assert [o.resource for o in objects] == ["s3://crm/a.csv", "s3://crm/b.csv"]
    assert {(p.resource, p.object, p.field, p.pii_type, p.public) for p in pii} == {
        ("s3://crm", "s3://crm/a.csv", "id", "NATIONAL_ID", False),
        ("s3://crm", "s3://crm/a.csv", "name", "PERSON_NAME", False),
        ("s3://crm", "s3://crm/b.csv", "phone", "PHONE_NUMBER", True),
    }
    assert {p.public_via for p in pii if p.public} == {"object ACL"}


def test_unrecorded_object_acl_is_unknown_unless_acls_cannot_take_effect() -> None:
    samples = (sample("s3://crm/a.csv", field("id", PiiType.NATIONAL_ID)),)
    _, _, pii = s3_facts([_estate(public_access_block=None, samples=samples)])
    assert pii[0].public is None
    _, _, pii = s3_facts([_estate(public_access_block=BPA_ON, samples=samples)])
    assert pii[0].public is False
