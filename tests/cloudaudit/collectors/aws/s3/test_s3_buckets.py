"""Bucket configuration as collect_s3 records it, against a moto server on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

import pytest

import cloudaudit.collectors.aws.s3 as s3_collector
from cloudaudit.collectors.aws.s3 import collect_s3
from cloudaudit.config import Limits
from cloudaudit.errors import AccessDenied
from cloudaudit.model import CoverageStatus, Provider, Resource, Service

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _collect(account: Any, **limits: int) -> dict[str, Resource]:
    collected = collect_s3(account.env, Limits(**limits))
    return {r.resource: r for r in collected.resources}


def _public_read(bucket: str, **extra: Any) -> dict[str, Any]:
    return {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*", **extra}


def test_plain_bucket_records_absence_as_none_not_as_errors(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("plain"))
    resource = _collect(account)[f"s3://{bucket}"]
    assert (resource.provider, resource.service, resource.kind) == (Provider.AWS, Service.S3, "bucket")
    assert resource.read_errors == {}
    assert resource.status is CoverageStatus.ASSESSED
    config = resource.config
    for key in ("policy", "policy_status", "public_access_block", "ownership_controls", "encryption"):
        assert key in config and config[key] is None, key
    assert config["website"] is False


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-northeast-1"])
def test_location_is_the_region_code_in_lower_case(account: Any, bucket_name: Any, region: str) -> None:
    bucket = account.create_bucket(bucket_name("loc"), region)
    resource = _collect(account)[f"s3://{bucket}"]
    assert resource.location == region
    assert resource.config["location"] == region


def test_public_acl_grant_is_recorded_without_display_names(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("acl"))
    account.s3().put_bucket_acl(Bucket=bucket, ACL="public-read")
    acl = _collect(account)[f"s3://{bucket}"].config["acl"]
    grants = {(g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"]}
    assert (ALL_USERS, "READ") in grants
    assert "DisplayName" not in json.dumps(acl)
    assert acl["Owner"]["ID"]


def test_public_policy_is_parsed_and_its_status_is_public(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("pub-policy"))
    statement = _public_read(bucket)
    account.put_policy(bucket, statement)
    config = _collect(account)[f"s3://{bucket}"].config
    assert config["policy"]["Statement"] == [statement]
    assert config["policy_status"] == {"IsPublic": True}


def test_policy_limited_by_source_ip_is_not_public(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("ip-policy"))
    account.put_policy(bucket, _public_read(bucket, Condition={"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}))
    config = _collect(account)[f"s3://{bucket}"].config
    assert config["policy"]["Statement"][0]["Condition"]["IpAddress"]["aws:SourceIp"] == "198.51.100.0/24"
    assert config["policy_status"] == {"IsPublic": False}


def test_bucket_and_account_block_public_access(account: Any, bucket_name: Any) -> None:
    blocked = account.create_bucket(bucket_name("bpa"))
    account.s3().put_public_access_block(Bucket=blocked, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True})
    account.admin.client("s3control").put_public_access_block(
        AccountId=account.account_id, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})

    collected = collect_s3(account.env, Limits())

    bucket_bpa = {r.resource: r for r in collected.resources}[f"s3://{blocked}"].config["public_access_block"]
    assert bucket_bpa == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
                          "RestrictPublicBuckets": False}
    assert collected.account["public_access_block"] == {
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True}
    assert collected.account_read_errors == {}


def test_account_without_block_public_access_records_none(account: Any) -> None:
    collected = collect_s3(account.env, Limits())
    assert collected.account == {"public_access_block": None}
    assert collected.resources == []


def test_encryption_ownership_and_website_when_set(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("set"))
    s3 = account.s3()
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})

    config = _collect(account)[f"s3://{bucket}"].config

    assert config["encryption"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert config["ownership_controls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert config["website"] is True


def test_buckets_in_many_regions_are_all_listed_across_pages(account: Any, bucket_name: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3_collector, "LIST_BUCKETS_PAGE_SIZE", 4)
    regions = ["us-east-1", "eu-west-1", "ap-northeast-1", "ap-southeast-1"]
    expected = {}
    for i in range(18):
        region = regions[i % len(regions)]
        expected[f"s3://{account.create_bucket(bucket_name('many'), region)}"] = region

    found = _collect(account)

    assert {uri: r.location for uri, r in found.items()} == expected


def test_max_resources_bounds_the_buckets_read(account: Any, bucket_name: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3_collector, "LIST_BUCKETS_PAGE_SIZE", 3)
    for _ in range(8):
        account.create_bucket(bucket_name("bounded"))
    assert len(_collect(account, max_resources=5)) == 5


def _user_keys(account: Any, actions: list[str]) -> dict[str, str]:
    iam = account.admin.client("iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="read-some", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def test_denied_calls_become_read_errors_with_the_code_only(account: Any, bucket_name: Any, enforce_iam: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = account.create_bucket(bucket_name("denied"))
    account.put_policy(bucket, _public_read(bucket))
    for name, value in _user_keys(account, ["s3:ListAllMyBuckets", "s3:GetBucketAcl",
                                            "s3:GetBucketLocation"]).items():
        monkeypatch.setenv(name, value)
    env = account.env.model_copy(update={"role_arn": None})

    with enforce_iam():
        collected = collect_s3(env, Limits())

    resource = {r.resource: r for r in collected.resources}[f"s3://{bucket}"]
    assert resource.read_errors["policy"] == "GetBucketPolicy: AccessDenied"
    assert resource.read_errors["policy_status"] == "GetBucketPolicyStatus: AccessDenied"
    assert resource.read_errors["website"] == "GetBucketWebsite: AccessDenied"
    assert "policy" not in resource.config and "website" not in resource.config  # unreadable ≠ absent
    assert resource.config["acl"]["Grants"]  # what was allowed is still read
    assert resource.status is CoverageStatus.PARTIAL
    assert resource.reason == "objects not listed: ListObjectsV2: AccessDenied"
    assert set(collected.account_read_errors) == {"public_access_block"}
    assert collected.account_read_errors["public_access_block"].startswith("GetPublicAccessBlock: ")


def test_list_buckets_denied_fails_the_environment(account: Any, enforce_iam: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _user_keys(account, ["s3:GetBucketAcl"]).items():
        monkeypatch.setenv(name, value)
    env = account.env.model_copy(update={"role_arn": None})
    with enforce_iam(), pytest.raises(AccessDenied) as raised:
        collect_s3(env, Limits())
    assert str(raised.value) == "ListBuckets: AccessDenied"


def test_bucket_pages_are_followed_by_continuation_token(account: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto does not paginate ListBuckets; botocore's Stubber plays the real API's two pages."""
    from botocore.stub import Stubber

    monkeypatch.setattr(s3_collector, "LIST_BUCKETS_PAGE_SIZE", 2)
    s3 = account.admin.s3()
    with Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": [{"Name": "page-one-a"}, {"Name": "page-one-b"}],
                                           "ContinuationToken": "next"}, {"MaxBuckets": 2})
        stub.add_response("list_buckets", {"Buckets": [{"Name": "page-two-a", "BucketRegion": "EU-WEST-1"}]},
                          {"MaxBuckets": 2, "ContinuationToken": "next"})
        names = s3_collector.list_bucket_names(account.admin, 10)
        stub.assert_no_pending_responses()
    assert names == [("page-one-a", ""), ("page-one-b", ""), ("page-two-a", "eu-west-1")]


def test_an_unexpected_error_in_one_bucket_is_its_coverage_not_a_crash(account: Any, bucket_name: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    broken, fine = account.create_bucket(bucket_name("broken")), account.create_bucket(bucket_name("fine"))
    real = s3_collector.read_bucket_config

    def flaky(clients: Any, bucket: str, region: str | None) -> Any:
        if bucket == broken:
            raise RuntimeError("response quoted synthetic-secret-value")
        return real(clients, bucket, region)

    monkeypatch.setattr(s3_collector, "read_bucket_config", flaky)
    found = _collect(account)

    assert found[f"s3://{fine}"].status is CoverageStatus.ASSESSED
    failed = found[f"s3://{broken}"]
    assert failed.status is CoverageStatus.NOT_ASSESSED
    assert failed.reason == "configuration unreadable: collector error (RuntimeError)"
    assert "synthetic-secret-value" not in failed.model_dump_json()
