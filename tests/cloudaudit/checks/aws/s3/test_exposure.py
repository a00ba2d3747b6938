"""Public to S3 versus readable by the public: PII_EXPOSURE counts only grants that read.

Policy documents follow the shapes of the S3 User Guide's bucket policy examples
("Granting read-only permission to a public anonymous user", "Restricting access to
specific IP addresses", with their documentation addresses and bucket names).
"""

from __future__ import annotations

from typing import Any

import pytest

from cloudaudit.checks.aws.s3.facts import bucket_facts, s3_facts, statement_reads
from cloudaudit.checks.base import evaluate
from cloudaudit.checks.registry import get_check
from cloudaudit.model import PiiType, Provider, Status

from ...snapshots import ALL_USERS, AUTH_USERS, BPA_OFF, acl, field, policy, s3_bucket, sample, snapshot

BUCKET = "amzn-s3-demo-bucket"


def anonymous(action: Any = None, *, not_action: Any = None, condition: dict[str, Any] | None = None,
              sid: str = "PublicRead") -> dict[str, Any]:
    """One statement allowing Principal "*", in the S3 User Guide's example shape."""
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": "*",
                                 "Resource": [f"arn:aws:s3:::{BUCKET}/*"]}
    if not_action is not None:
        statement["NotAction"] = not_action
    else:
        statement["Action"] = action
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def facts(**bucket: Any) -> Any:
    bucket.setdefault("public_access_block", None)
    return bucket_facts(snapshot("jp-aws", Provider.AWS), s3_bucket(BUCKET, **bucket))


def judge(check_id: str, rows: list[Any]) -> tuple[list[Status], str]:
    check = get_check(check_id)
    return [evaluate(getattr(r, check.column), check.value_set(policy())) for r in rows], check.detail(rows, policy())


WRITE_ONLY = anonymous("s3:PutObject", sid="AllowAnonymousUpload")


def test_write_only_policy_is_public_to_s3_but_not_readable() -> None:
    row = facts(policy=WRITE_ONLY)
    assert (row.policy_public, row.policy_public_read, row.public, row.public_via) == (True, False, False, "")
    assert row.public_without_read == "bucket policy statement AllowAnonymousUpload (s3:PutObject)"
    statuses, detail = judge("aws_s3_bucket_public_policy", [row])
    assert statuses == [Status.FAIL]  # S3's policy status calls it public: the configuration check fails
    assert "anyone can write, but no public statement reads or lists objects" in detail


def test_write_only_policy_does_not_expose_pii_and_detail_says_why() -> None:
    data = (sample(f"s3://{BUCKET}/exports/customers.csv", field("my_number", PiiType.NATIONAL_ID), object_acl=acl()),)
    snap = snapshot("jp-aws", Provider.AWS, s3_bucket(BUCKET, policy=WRITE_ONLY, public_access_block=None,
                                                       samples=data))
    _, _, pii = s3_facts([snap])
    assert [(p.public, p.public_without_read) for p in pii] == [
        (False, "bucket policy statement AllowAnonymousUpload (s3:PutObject)")]
    statuses, detail = judge("aws_s3_pii_public", pii)
    assert statuses == [Status.PASS]
    assert "not publicly readable (public, but reads no data: bucket policy statement AllowAnonymousUpload" in detail


@pytest.mark.parametrize(("action", "reads"), [
    (["s3:GetObject", "s3:GetObjectVersion"], True),  # the guide's read-only anonymous example
    ("s3:GetObject", True),
    ("s3:Get*", True),
    ("s3:*", True),
    ("*", True),
    ("S3:getobject", True),  # IAM matches actions case-insensitively
    ("s3:GetObjec?", True),
    ("s3:ListBucket", True),  # a listing is counted, as a bucket ACL READ grant is
    (["s3:PutObject", "s3:GetObjectVersion"], True),
    ("s3:PutObject", False),
    ("s3:Put*", False),
    (["s3:PutObject", "s3:PutObjectAcl"], False),
    ("s3:DeleteObject", False),
    ("s3:GetObjectAcl", False),  # reads the ACL, not the data
    ("s3:GetBucketLocation", False),
    ("s3:PutBucketPolicy", False),
])
def test_policy_actions_with_wildcards(action: Any, reads: bool) -> None:
    row = facts(policy=anonymous(action))
    assert row.policy_public is True  # every statement here is public to S3
    assert (row.policy_public_read, row.public) == (reads, reads)
    assert bool(row.public_without_read) is not reads


@pytest.mark.parametrize(("not_action", "reads"), [
    ("s3:PutObject", True),  # everything but writing
    ("s3:GetObject", True),  # GetObjectVersion and listing remain
    (["s3:Get*", "s3:List*"], False),
    ("s3:*", False),
    ("*", False),
])
def test_not_action_allows_everything_but_what_it_names(not_action: Any, reads: bool) -> None:
    assert statement_reads(anonymous(not_action=not_action)["Statement"][0]) is reads
    row = facts(policy=anonymous(not_action=not_action))
    assert (row.policy_public, row.policy_public_read) == (True, reads)


@pytest.mark.parametrize(("permission", "reads"), [
    ("READ", True), ("FULL_CONTROL", True), ("WRITE", False), ("WRITE_ACP", False), ("READ_ACP", False),
])
def test_each_bucket_acl_permission(permission: str, reads: bool) -> None:
    row = facts(acl=acl(ALL_USERS, AUTH_USERS, permission=permission))
    assert row.acl_public is True  # public to S3 whatever the permission
    assert (row.acl_public_read, row.public) == (reads, reads)
    _, detail = judge("aws_s3_bucket_public_acl", [row])
    assert ("the public cannot read the data" in detail) is not reads
    if not reads:
        assert row.public_without_read == (f"bucket ACL AllUsers:{permission}; "
                                           f"bucket ACL AuthenticatedUsers:{permission}")


@pytest.mark.parametrize(("permission", "reads"), [
    ("READ", True), ("FULL_CONTROL", True), ("WRITE_ACP", False), ("READ_ACP", False),
])
def test_each_object_acl_permission(permission: str, reads: bool) -> None:
    key = f"s3://{BUCKET}/exports/customers.csv"
    data = (sample(key, field("phone", PiiType.PHONE_NUMBER), object_acl=acl(ALL_USERS, permission=permission)),)
    snap = snapshot("jp-aws", Provider.AWS, s3_bucket(BUCKET, public_access_block=None, samples=data))
    _, objects, pii = s3_facts([snap])
    assert (objects[0].acl_public, objects[0].acl_public_read) == (True, reads)
    assert pii[0].public is reads
    assert pii[0].public_via == ("object ACL" if reads else "")
    assert pii[0].public_without_read == ("" if reads else f"object ACL AllUsers:{permission}")


def test_a_write_only_grant_is_neutralised_like_any_other() -> None:
    row = facts(acl=acl(ALL_USERS, permission="WRITE"), public_access_block={**BPA_OFF, "IgnorePublicAcls": True})
    assert (row.acl_public, row.acl_public_read, row.public_without_read) == (False, False, "")


def test_unknown_block_public_access_leaves_reading_unknown_but_write_only_not_readable() -> None:
    errors = {"public_access_block": "GetPublicAccessBlock: AccessDenied"}
    snap = snapshot("jp-aws", Provider.AWS, account_errors=errors)
    reading = bucket_facts(snap, s3_bucket(BUCKET, public_access_block=None, policy=anonymous("s3:GetObject")))
    writing = bucket_facts(snap, s3_bucket(BUCKET, public_access_block=None, policy=WRITE_ONLY,
                                           acl=acl(ALL_USERS, permission="WRITE")))
    assert (reading.policy_public, reading.policy_public_read, reading.public) == (None, None, None)
    assert (writing.policy_public, writing.policy_public_read, writing.acl_public_read, writing.public) == (
        None, False, False, False)


def test_policy_status_fallback_counts_as_readable() -> None:
    row = facts(unreadable={"policy": "GetBucketPolicy: AccessDenied"}, policy_status={"IsPublic": True})
    assert (row.policy_public, row.policy_public_read) == (True, True)  # S3 cannot tell us which: conservative


@pytest.mark.parametrize(("ranges", "public"), [
    (["0.0.0.0/0"], True),
    (["0.0.0.0/1"], True),  # half the internet
    (["10.0.0.0/7"], True),  # broader than /8
    (["10.0.0.0/8"], False),
    (["54.240.143.0/24"], False),  # the guide's example range
    (["::/0"], True),
    (["2001:db8::/31"], True),  # broader than /32
    (["2001:db8::/32"], False),
    (["54.240.143.0/24", "2001:DB8:1234:5678::/64"], False),  # the guide's IPv4 + IPv6 example
    (["54.240.143.0/24", "2001:db8::/31"], True),  # one broad range opens the statement
    (["not-an-address"], True),
])
def test_source_ip_limits_only_within_the_s3_rule(ranges: list[str], public: bool) -> None:
    condition = {"IpAddress": {"aws:SourceIp": ranges}}
    row = facts(policy=anonymous("s3:*", condition=condition, sid="IPAllow"))
    assert (row.policy_public, row.public) == (public, public)
    assert ("limited by aws:SourceIp" in row.policy_limited_statements) is not public
