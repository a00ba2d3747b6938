"""The fixer's least privilege: docs/iam's fixer policy and role are the catalogue's permissions, and
under moto's IAM enforcement a user holding exactly ``docs/iam/aws-fixer-policy.json`` applies
every S3 fix (its keys reach the fixer through an Airflow connection, ``remediation_conn_id``);
with one permission taken away, the fix that needs it FAILS naming the call, and nothing changes.

moto authorizes two calls under other names (``moto/s3/responses.py``'s ACTION_MAP misses the
``publicAccessBlock`` query): PutPublicAccessBlock as ``s3:CreateBucket`` and GetPublicAccessBlock
as ``s3:ListBucket``. ``for_moto`` gives moto's user the same permissions under those names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from cloudaudit.config import Environment, Inventory, Limits
from cloudaudit.remediation import catalog
from cloudaudit.remediation.connect import open_fixer
from cloudaudit.remediation.model import Approval, FindingRef, FixKind, FixStatus, Proposal
from cloudaudit.remediation.workflow import apply_decision, make_fix
from tests.faults.emulators import hermetic_aws_env, moto_server

DOCS = Path(__file__).resolve().parents[3] / "docs" / "iam"
AWS_POLICY = DOCS / "aws-fixer-policy.json"
GCP_ROLE = DOCS / "gcp-fixer-role.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account: where an IAM user's keys belong
MOTO_NAMES = {"s3:PutBucketPublicAccessBlock": "s3:CreateBucket", "s3:GetBucketPublicAccessBlock": "s3:ListBucket"}
CONN_ID = "cloudaudit_fixer_aws"
S3_KINDS = (FixKind.S3_BLOCK_PUBLIC_ACCESS, FixKind.S3_ACL_PUBLIC_GRANTS, FixKind.S3_POLICY_PUBLIC_STATEMENTS)


def actions(policy: dict[str, Any]) -> set[str]:
    return {a for st in policy["Statement"] for a in st["Action"]}


def for_moto(policy: dict[str, Any]) -> dict[str, Any]:
    return {**policy, "Statement": [{**st, "Action": sorted({MOTO_NAMES.get(a, a) for a in st["Action"]})}
                                    for st in policy["Statement"]]}


def without(policy: dict[str, Any], action: str) -> dict[str, Any]:
    return {**policy, "Statement": [{**st, "Action": [a for a in st["Action"] if a != action]}
                                    for st in policy["Statement"] if [a for a in st["Action"] if a != action]]}


def test_the_documented_aws_policy_is_the_catalogue_s_permissions() -> None:
    needed = {p for spec in catalog.CATALOG if spec.provider == "aws" for p in spec.permissions}
    # the fixer also reads the bucket's region to call the right endpoint
    assert actions(json.loads(AWS_POLICY.read_text())) == needed | {"s3:GetBucketLocation"}
    writes = {p for spec in catalog.CATALOG if spec.provider == "aws" for p in spec.write_permissions}
    assert all(p.startswith(("s3:Put", "s3:Delete")) for p in writes)


def test_the_documented_gcp_role_is_the_catalogue_s_permissions() -> None:
    role = yaml.safe_load(GCP_ROLE.read_text())
    needed = {p for spec in catalog.CATALOG if spec.provider == "gcp" for p in spec.permissions}
    assert set(role["includedPermissions"]) == needed


class IamAccount:
    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir
        self.keys: dict[str, str] = {}

    def admin(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))

    def auth(self, on: bool) -> None:
        requests.post(f"{self.url}/moto-api/reset-auth", data=b"0" if on else b"inf", timeout=10).raise_for_status()

    def seed(self, prefix: str) -> dict[FixKind, str]:
        s3 = self.admin("s3")
        buckets = {kind: f"{prefix}-{kind.value.replace('_', '-')[:30]}" for kind in S3_KINDS}
        for bucket in buckets.values():
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
        bucket = buckets[FixKind.S3_POLICY_PUBLIC_STATEMENTS]
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        return buckets


def environment() -> Environment:
    return Environment(name="jp-iam", country="JP", provider="aws", account_id=ACCOUNT_ID, regions=("us-east-1",),
                       endpoint_url="http://127.0.0.1:1", remediation="allowed", remediation_conn_id=CONN_ID)


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamAccount]:
    workdir = tmp_path_factory.mktemp("fixer-iam")
    env = hermetic_aws_env(workdir)
    patch = pytest.MonkeyPatch()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        patch.delenv(name, raising=False)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_MAX_ATTEMPTS"):
        patch.setenv(name, env[name])
    with moto_server(workdir / "logs") as url:
        made = IamAccount(url, workdir)
        iam = made.admin("iam")
        iam.create_user(UserName="cloudaudit-fixer")
        made.keys = iam.create_access_key(UserName="cloudaudit-fixer")["AccessKey"]
        patch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(
            {"conn_type": "aws", "login": made.keys["AccessKeyId"], "password": made.keys["SecretAccessKey"]}))
        try:
            yield made
        finally:
            made.auth(False)
            patch.undo()


def run_fixes(account: IamAccount, policy: dict[str, Any], prefix: str) -> tuple[dict[FixKind, Any], dict[FixKind, str]]:
    """Seed one exposed bucket per S3 kind, propose with admin reads, apply as the fixer under enforcement."""
    from cloudaudit.remediation.fixers.aws import AwsFixer

    buckets = account.seed(prefix)
    env = environment().model_copy(update={"endpoint_url": account.url})
    admin_reader = AwsFixer(_admin_clients(account))
    fixes = []
    for number, kind in enumerate(S3_KINDS, start=1):
        resource = f"s3://{buckets[kind]}"
        state = admin_reader.read(kind, resource).state
        fixes.append(make_fix(f"F{number}", catalog.spec(kind), env, resource, state,
                              [FindingRef(check_id="aws_s3_bucket_public_acl", resource=resource, severity="high",
                                          category="ACCESS")]))
    proposal = Proposal(country="JP", run_date="2026-12-04", created_at="2026-12-05T00:00:00Z", source_bundle="-",
                        source_bundle_sha256="0" * 64, fixes=tuple(fixes))
    account.admin("iam").put_user_policy(UserName="cloudaudit-fixer", PolicyName="fixer",
                                         PolicyDocument=json.dumps(for_moto(policy)))
    inventory = Inventory(environments=(env,))
    approval = Approval(chosen=tuple(f.label for f in fixes), approver={"id": "a", "name": "a"})
    account.auth(True)
    try:
        results = apply_decision(proposal, approval, inventory, limits=Limits(call_timeout_s=5))
    finally:
        account.auth(False)
    after = {kind: admin_reader.read(kind, f"s3://{buckets[kind]}").state for kind in S3_KINDS}
    return {r.kind: r for r in results}, {kind: json.dumps(after[kind], sort_keys=True) for kind in S3_KINDS}


def _admin_clients(account: IamAccount) -> Any:
    from cloudaudit.collectors.aws.session import connect

    env = environment().model_copy(update={"endpoint_url": account.url})
    return connect(env, Limits(), keys=("testing", "testing", None))


def test_exactly_the_documented_policy_applies_every_s3_fix(account: IamAccount) -> None:
    results, after = run_fixes(account, json.loads(AWS_POLICY.read_text()), "lpfull")
    for kind in S3_KINDS:
        assert results[kind].status is FixStatus.APPLIED, (kind, results[kind].reason)
        assert not catalog.spec(kind).needed(json.loads(after[kind])), kind


@pytest.mark.parametrize(("action", "kind", "call"), [
    ("s3:PutBucketAcl", FixKind.S3_ACL_PUBLIC_GRANTS, "PutBucketAcl"),
    ("s3:DeleteBucketPolicy", FixKind.S3_POLICY_PUBLIC_STATEMENTS, "DeleteBucketPolicy"),
    ("s3:GetBucketAcl", FixKind.S3_ACL_PUBLIC_GRANTS, "GetBucketAcl"),
])
def test_without_one_permission_the_fix_needing_it_fails_and_changes_nothing(
        account: IamAccount, action: str, kind: FixKind, call: str) -> None:
    policy = without(json.loads(AWS_POLICY.read_text()), action)
    results, after = run_fixes(account, policy, f"lp{call.lower()[:12]}")
    assert results[kind].status is FixStatus.FAILED
    assert f"{call}: AccessDenied" in results[kind].reason
    assert catalog.spec(kind).needed(json.loads(after[kind]))  # still as it was
    for other in S3_KINDS:
        if other is not kind:
            assert results[other].status is FixStatus.APPLIED, (other, results[other].reason)


def test_the_fixer_does_not_use_the_scanner_s_credentials(account: IamAccount) -> None:
    env = environment().model_copy(update={"endpoint_url": account.url, "role_arn": "arn:aws:iam::1:role/reader"})
    fixer = open_fixer(env, Limits(), as_fixer=True)
    caller = fixer.clients.client("sts").get_caller_identity()  # type: ignore[attr-defined]
    assert caller["Arn"].endswith("user/cloudaudit-fixer")


def test_proposing_needs_only_the_reader_policy(account: IamAccount) -> None:
    """The proposal's re-reads (and the website check) use the scanner's reader policy, nothing more."""
    from cloudaudit.collectors.aws.session import connect
    from cloudaudit.remediation.fixers.aws import AwsFixer
    from tests.faults import iam as reader_iam

    buckets = account.seed("lpread")
    iam = account.admin("iam")
    iam.create_user(UserName="cloudaudit-reader")
    keys = iam.create_access_key(UserName="cloudaudit-reader")["AccessKey"]
    iam.put_user_policy(UserName="cloudaudit-reader", PolicyName="reader",
                        PolicyDocument=json.dumps(reader_iam.for_moto(reader_iam.load_policy())))
    env = environment().model_copy(update={"endpoint_url": account.url})
    reader = AwsFixer(connect(env, Limits(), keys=(keys["AccessKeyId"], keys["SecretAccessKey"], None)))
    account.auth(True)
    try:
        states = {kind: reader.read(kind, f"s3://{buckets[kind]}").state for kind in S3_KINDS}
        notes = [n for kind in S3_KINDS for n in reader.notes(kind, f"s3://{buckets[kind]}")]
    finally:
        account.auth(False)
    assert all(catalog.spec(kind).needed(states[kind]) for kind in S3_KINDS)
    assert notes == []  # no website, and GetBucketWebsite was allowed (else "could not be read")
