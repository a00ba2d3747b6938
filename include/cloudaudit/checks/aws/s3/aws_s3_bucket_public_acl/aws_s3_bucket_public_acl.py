"""aws_s3_bucket_public_acl: S3 bucket ACL grants access to AllUsers or AuthenticatedUsers."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.aws.s3.acl import acl_detail
from cloudaudit.checks.aws.s3.facts import S3BucketFacts
from cloudaudit.checks.base import load_metadata
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "acl_public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[S3BucketFacts], policy: CountryPolicy) -> str:
    return acl_detail(rows[0])
