"""Least privilege: the S3 collector under moto's IAM enforcement with exactly docs/iam's policy.

An IAM user holds exactly ``docs/iam/aws-reader-policy.json``: every bucket, object and the
account are read in full. With one permission taken away, what that permission covers becomes
NOT_ASSESSED (or a PARTIAL/coverage entry naming the call) and nothing else is lost, compared
key by key with the full-policy snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from cloudaudit.config import Environment
from cloudaudit.model import CoverageStatus, Snapshot
from tests.cloudaudit.collectors.faults.conftest import LIMITS
from tests.faults import data
from tests.faults.child import PEAK_RSS_BOUND, Extracted, run_extract
from tests.faults.emulators import hermetic_aws_env, moto_server
from tests.faults.iam import for_moto, load_policy, policy_actions, without

ACCOUNT_ID = "123456789012"  # moto's default account: where an IAM user's keys belong
USER = "cloudaudit-reader"
BUCKETS = {"lp-public-site": {"index.csv": data.people_csv(12, seed=5)},
           "lp-private-crm": {"customers.csv": data.people_csv(), "notes.jsonl": data.people_jsonl()}}
# What each permission covers: bucket config keys, whether listing, objects, object ACLs, the account.
COVERS: dict[str, dict[str, Any]] = {
    "s3:GetBucketAcl": {"keys": {"acl": "GetBucketAcl"}},
    "s3:GetBucketPolicy": {"keys": {"policy": "GetBucketPolicy"}},
    # asked only of a bucket with a policy: without one the answer is known (issue 18: fewer calls)
    "s3:GetBucketPolicyStatus": {"keys": {"policy_status": "GetBucketPolicyStatus"}, "only_with_policy": True},
    "s3:GetBucketLocation": {"keys": {"location": "GetBucketLocation"}},
    "s3:GetBucketWebsite": {"keys": {"website": "GetBucketWebsite"}},
    "s3:GetObject": {"objects": True},
    "s3:GetObjectAcl": {"object_acl": True},
    "s3:GetAccountPublicAccessBlock": {"account": True},
    # moto 5.2 authorizes GetBucketEncryption, GetBucketOwnershipControls and the bucket's
    # GetPublicAccessBlock as s3:ListBucket; on AWS only the listing needs it.
    "s3:ListBucket": {"listing": True, "keys": {"encryption": "GetBucketEncryption",
                                                "ownership_controls": "GetBucketOwnershipControls",
                                                "public_access_block": "GetPublicAccessBlock"}},
    "s3:ListAllMyBuckets": {"environment": "ListBuckets: AccessDenied"},
}
# Permissions moto does not check separately (see s3:ListBucket above): nothing to remove on moto.
NOT_SEPARABLE_ON_MOTO = {"s3:GetEncryptionConfiguration", "s3:GetBucketOwnershipControls",
                         "s3:GetBucketPublicAccessBlock",
                         "sts:GetCallerIdentity"}  # needs no permission on AWS: it cannot be denied


@dataclass
class IamEstate:
    url: str
    keys: dict[str, str]
    workdir: Path

    def admin(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))

    def auth(self, on: bool) -> None:
        requests.post(f"{self.url}/moto-api/reset-auth", data=b"0" if on else b"inf", timeout=10).raise_for_status()

    def extract_with(self, policy: dict[str, Any], label: str) -> Extracted:
        """The reader's snapshot while it holds ``policy`` and moto enforces IAM."""
        self.admin("iam").put_user_policy(UserName=USER, PolicyName="reader",
                                          PolicyDocument=json.dumps(for_moto(policy)))
        env = Environment(name="lp-account", country="JP", provider="aws", account_id=ACCOUNT_ID,
                          regions=("us-east-1",), endpoint_url=self.url)
        workdir = self.workdir / label
        workdir.mkdir(parents=True, exist_ok=True)
        process_env = hermetic_aws_env(workdir, AWS_ACCESS_KEY_ID=self.keys["AccessKeyId"],
                                       AWS_SECRET_ACCESS_KEY=self.keys["SecretAccessKey"])
        self.auth(True)
        try:
            result = run_extract(env, LIMITS, workdir / "child", process_env=process_env)
        finally:
            self.auth(False)
        assert result.peak_rss_bytes < PEAK_RSS_BOUND
        return result


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamEstate]:
    workdir = tmp_path_factory.mktemp("least-privilege")
    with moto_server(workdir / "logs") as url:
        made = IamEstate(url, {}, workdir)
        s3 = made.admin("s3")
        for bucket, objects in BUCKETS.items():
            s3.create_bucket(Bucket=bucket)
            for key, body in objects.items():
                s3.put_object(Bucket=bucket, Key=key, Body=body)
        s3.put_bucket_website(Bucket="lp-public-site", WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
        s3.put_bucket_policy(Bucket="lp-public-site", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lp-public-site/*"}]}))
        s3.put_bucket_encryption(Bucket="lp-private-crm", ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        s3.put_public_access_block(Bucket="lp-private-crm", PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        iam = made.admin("iam")
        iam.create_user(UserName=USER)
        made.keys = iam.create_access_key(UserName=USER)["AccessKey"]
        try:
            yield made
        finally:
            made.auth(False)


@pytest.fixture(scope="module")
def full(estate: IamEstate) -> Extracted:
    return estate.extract_with(load_policy(), "full")


def test_exactly_the_documented_policy_reads_everything(full: Extracted) -> None:
    snapshot = full.snapshot
    assert snapshot.status is CoverageStatus.ASSESSED
    assert snapshot.account_read_errors == {}
    assert snapshot.account["public_access_block"] is None  # read: the account has none set
    assert {r.resource for r in snapshot.resources} == {f"s3://{b}" for b in BUCKETS}
    for row in full.coverage():
        assert row.status is CoverageStatus.ASSESSED, row
    for resource in snapshot.resources:
        assert resource.read_errors == {}
        for sample in resource.samples:
            assert (sample.status, sample.read_errors) == (CoverageStatus.ASSESSED, {}), sample.resource
            assert "acl" in sample.config
    crm = full.resource("s3://lp-private-crm")
    assert crm.config["encryption"] and crm.config["public_access_block"]
    assert full.resource("s3://lp-public-site").config["website"] is True


def test_every_permission_of_the_policy_is_proved_here_or_named_as_not_separable() -> None:
    assert set(COVERS) | NOT_SEPARABLE_ON_MOTO == policy_actions(load_policy())


@pytest.mark.parametrize("action", sorted(COVERS))
def test_one_permission_removed_loses_what_it_covers_and_nothing_else(estate: IamEstate, full: Extracted,
                                                                      action: str) -> None:
    covers = COVERS[action]
    result = estate.extract_with(without(load_policy(), action), action.replace(":", "-"))
    snapshot = result.snapshot
    if "environment" in covers:
        row = result.coverage_of("lp-account")
        assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, covers["environment"])
        return
    assert_account(snapshot, full.snapshot, lost=bool(covers.get("account")))
    lost_somewhere = False
    for base in full.snapshot.resources:
        keys: dict[str, str] = covers.get("keys", {})
        if covers.get("only_with_policy") and base.config.get("policy") is None:
            keys = {}
        lost_somewhere = lost_somewhere or bool(keys)
        got = result.resource(base.resource)
        assert got.read_errors == {k: f"{op}: AccessDenied" for k, op in keys.items()}, base.resource
        assert {k: v for k, v in got.config.items() if k not in keys} == \
            {k: v for k, v in base.config.items() if k not in keys}, base.resource  # nothing else lost
        row = result.coverage_of(base.resource)
        if keys:
            assert row.status is CoverageStatus.NOT_ASSESSED
            assert all(f"{k}: {op}: AccessDenied" in row.reason for k, op in keys.items())
        if covers.get("listing"):
            assert got.samples == ()
            assert "objects not listed: ListObjectsV2: AccessDenied" in got.reason
            continue
        assert_samples(got.samples, base.samples, objects=bool(covers.get("objects")),
                       acl=bool(covers.get("object_acl")))
        if not keys and not covers.get("objects") and not covers.get("object_acl"):
            assert row.status is CoverageStatus.ASSESSED
    assert lost_somewhere or not covers.get("keys"), f"no bucket here needs {action}: the case proves nothing"


def assert_account(snapshot: Snapshot, base: Snapshot, *, lost: bool) -> None:
    if lost:
        assert snapshot.account_read_errors["public_access_block"].startswith("GetPublicAccessBlock: ")
    else:
        assert (snapshot.account, snapshot.account_read_errors) == (base.account, base.account_read_errors)


def assert_samples(samples: Any, base_samples: Any, *, objects: bool, acl: bool) -> None:
    by_uri = {s.resource: s for s in samples}
    assert set(by_uri) == {s.resource for s in base_samples}
    for base in base_samples:
        got = by_uri[base.resource]
        if objects:
            assert (got.status, got.reason) == (CoverageStatus.NOT_ASSESSED, "GetObject: AccessDenied")
            assert got.config == base.config  # its ACL still read
        else:
            assert got.fields == base.fields and got.status is base.status
        if acl:
            assert got.read_errors == {"acl": "GetObjectAcl: AccessDenied"}
        elif not objects:
            assert got.read_errors == {} and got.config == base.config
