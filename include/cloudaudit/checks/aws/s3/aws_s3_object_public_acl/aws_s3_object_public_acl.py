"""aws_s3_object_public_acl: Sampled S3 object ACL is public."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.aws.s3.facts import S3ObjectFacts
from cloudaudit.checks.base import load_metadata
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "acl_public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[S3ObjectFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.acl_public:
        return f"ACL of {row.resource} grants {row.acl_public_grants}"
    if row.acl_neutralised_by and row.acl_public_grants:
        return f"ACL of {row.resource} grants {row.acl_public_grants}, neutralised by {row.acl_neutralised_by}"
    if row.acl_public is None:
        return f"ACL of {row.resource} could not be read: {row.unreadable or 'Block Public Access unknown'}"
    if row.acl_neutralised_by:
        return f"ACL of {row.resource} not read, but it cannot take effect: {row.acl_neutralised_by}"
    return f"ACL of {row.resource} grants no public group"
