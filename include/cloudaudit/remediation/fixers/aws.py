"""S3 fixes: Block Public Access, bucket ACL, bucket policy (boto3, clients from ``collectors.aws.session``)."""

from __future__ import annotations

import json
from typing import Any

from cloudaudit.collectors.aws.calls import aws_call
from cloudaudit.collectors.aws.s3.buckets import read_location
from cloudaudit.collectors.aws.session import AwsClients
from cloudaudit.errors import CallFailed, CollectError
from cloudaudit.remediation.fixers import Current
from cloudaudit.remediation.model import FixKind


def bucket_name(resource: str) -> str:
    """>>> bucket_name("s3://jp-dealers")
    'jp-dealers'
    """
    if not resource.startswith("s3://") or "/" in resource[5:] or len(resource) <= 5:
        raise ValueError(f"not an S3 bucket resource: {resource!r}")
    return resource[5:]


class AwsFixer:
    """Reads and writes one account's buckets with the credentials ``clients`` were built with."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients
        self._regions: dict[str, str] = {}

    def _s3(self, bucket: str) -> Any:
        if bucket not in self._regions:
            try:
                self._regions[bucket] = read_location(self.clients, bucket)
            except CollectError:
                self._regions[bucket] = ""  # the default region's client; S3 redirects if needed
        return self.clients.s3(self._regions[bucket] or None)

    def read(self, kind: FixKind, resource: str) -> Current:
        bucket = bucket_name(resource)
        s3 = self._s3(bucket)
        if kind is FixKind.S3_BLOCK_PUBLIC_ACCESS:
            got = aws_call("GetPublicAccessBlock", lambda: s3.get_public_access_block(Bucket=bucket))
            config = (got or {}).get("PublicAccessBlockConfiguration")
            return Current({"PublicAccessBlockConfiguration": dict(config) if config else None})
        if kind is FixKind.S3_ACL_PUBLIC_GRANTS:
            got = aws_call("GetBucketAcl", lambda: s3.get_bucket_acl(Bucket=bucket))
            if got is None:
                raise CallFailed("GetBucketAcl", "NoAcl")
            return Current({"Owner": dict(got.get("Owner") or {}), "Grants": list(got.get("Grants") or [])})
        if kind is FixKind.S3_POLICY_PUBLIC_STATEMENTS:
            got = aws_call("GetBucketPolicy", lambda: s3.get_bucket_policy(Bucket=bucket))
            if got is None:
                return Current({"Policy": None})
            try:
                return Current({"Policy": json.loads(got["Policy"])})
            except (KeyError, TypeError, ValueError):
                raise CallFailed("GetBucketPolicy", "malformed policy") from None
        raise ValueError(f"{kind} is not an S3 fix")

    def notes(self, kind: FixKind, resource: str) -> tuple[str, ...]:
        """A bucket serving a static website loses it to Block Public Access and to a policy without its
        public statement (GetBucketWebsite, which the reader policy grants)."""
        if kind not in (FixKind.S3_BLOCK_PUBLIC_ACCESS, FixKind.S3_POLICY_PUBLIC_STATEMENTS):
            return ()
        bucket = bucket_name(resource)
        s3 = self._s3(bucket)
        try:
            website = aws_call("GetBucketWebsite", lambda: s3.get_bucket_website(Bucket=bucket))
        except CollectError:
            return ("whether the bucket serves a website could not be read (GetBucketWebsite)",)
        if website is None:
            return ()
        return (f"THIS bucket serves a static website ({resource}): anonymous visitors will get 403",)

    def write(self, kind: FixKind, resource: str, current: Current, after: dict[str, Any]) -> None:
        bucket = bucket_name(resource)
        s3 = self._s3(bucket)
        if kind is FixKind.S3_BLOCK_PUBLIC_ACCESS:
            config = after["PublicAccessBlockConfiguration"]
            aws_call("PutPublicAccessBlock", lambda: s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=config))
        elif kind is FixKind.S3_ACL_PUBLIC_GRANTS:
            policy = {"Owner": after["Owner"], "Grants": after["Grants"]}
            aws_call("PutBucketAcl", lambda: s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy))
        elif kind is FixKind.S3_POLICY_PUBLIC_STATEMENTS:
            if after["Policy"] is None:
                aws_call("DeleteBucketPolicy", lambda: s3.delete_bucket_policy(Bucket=bucket))
            else:
                text = json.dumps(after["Policy"])
                aws_call("PutBucketPolicy", lambda: s3.put_bucket_policy(Bucket=bucket, Policy=text))
        else:
            raise ValueError(f"{kind} is not an S3 fix")
