"""Seed AWS accounts on the moto server with boto3, as an owner would have configured them.

moto picks the account from the access key, and ``sts:AssumeRole`` returns keys of the
role's account (NOTES.md), so each account is seeded through the same role ARN the
inventory gives the collectors.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cloudaudit_demo.estate.plan import AwsAccountPlan, S3Bucket

log = logging.getLogger(__name__)

ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}
DUMMY_KEY = "testing"  # moto accepts any key; this one maps to its default account only


def account_session(endpoint: str, role_arn: str) -> Any:
    """A boto3 session holding the keys of the role's account, from moto's STS."""
    import boto3

    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_KEY)
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="cloudaudit-seed")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])


def s3_client(session: Any, endpoint: str, region: str = "us-east-1") -> Any:
    from botocore.config import Config

    return session.client("s3", endpoint_url=endpoint, region_name=region,
                          config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))


def s3control_client(session: Any, endpoint: str) -> Any:
    from cloudaudit.collectors.aws.session import strip_account_host_prefix

    client = session.client("s3control", endpoint_url=endpoint, region_name="us-east-1")
    client.meta.events.register("before-sign.s3-control", strip_account_host_prefix)
    return client


def _create_bucket(s3: Any, bucket: S3Bucket) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket.name}
    if bucket.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": bucket.region}
    if bucket.public_acl:
        # ACLs only count while object ownership lets them (the pre-2023 default).
        kwargs["ObjectOwnership"] = "ObjectWriter"
    elif bucket.acls_disabled:
        kwargs["ObjectOwnership"] = "BucketOwnerEnforced"
    s3.create_bucket(**kwargs)


def seed_bucket(s3: Any, bucket: S3Bucket) -> None:
    """Create one bucket with its configuration and objects."""
    _create_bucket(s3, bucket)
    if bucket.public_acl:
        s3.put_bucket_acl(Bucket=bucket.name, ACL="public-read")
    if bucket.encrypted:
        s3.put_bucket_encryption(Bucket=bucket.name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
    for obj in bucket.objects:
        extra: dict[str, Any] = {"ACL": "public-read"} if obj.public_acl else {}
        s3.put_object(Bucket=bucket.name, Key=obj.key, Body=obj.data, ContentType=obj.content_type, **extra)
    if bucket.policy is not None:
        s3.put_bucket_policy(Bucket=bucket.name, Policy=json.dumps(bucket.policy))
    # Block Public Access last: a public ACL or policy set before it is what real estates hold.
    if bucket.block_public_access:
        s3.put_public_access_block(Bucket=bucket.name, PublicAccessBlockConfiguration=ALL_BLOCKED)


def seed_account(endpoint: str, account: AwsAccountPlan) -> None:
    """Seed every bucket of one account, then its account-level Block Public Access."""
    session = account_session(endpoint, account.env.role_arn)
    s3 = s3_client(session, endpoint)
    for bucket in account.buckets:
        seed_bucket(s3, bucket)
    if account.block_public_access:
        s3control_client(session, endpoint).put_public_access_block(
            AccountId=account.env.account_id, PublicAccessBlockConfiguration=ALL_BLOCKED)
    log.info("seeded AWS account %s: %d buckets", account.env.name, len(account.buckets))
