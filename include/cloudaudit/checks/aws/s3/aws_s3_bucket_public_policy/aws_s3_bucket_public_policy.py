"""aws_s3_bucket_public_policy: S3 bucket policy makes the bucket public."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.aws.s3.facts import S3BucketFacts
from cloudaudit.checks.base import load_metadata
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "policy_public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[S3BucketFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    limited = f"; not public: {row.policy_limited_statements}" if row.policy_limited_statements else ""
    if row.policy_public:
        note = ""
        if row.policy_public_read is False:  # S3 calls it public; PII_EXPOSURE does not count it
            note = "; anyone can write, but no public statement reads or lists objects"
        return f"Policy of {row.resource} is public: {row.policy_public_statements}{note}{limited}"
    if row.policy_neutralised_by:
        return (f"Policy of {row.resource} allows anyone ({row.policy_public_statements}), neutralised by "
                f"{row.policy_neutralised_by}{limited}")
    if row.policy_public is None:
        return f"Policy of {row.resource} could not be judged: {row.unreadable or 'Block Public Access unknown'}"
    if row.has_policy is False:
        return f"{row.resource} has no bucket policy"
    return f"Policy of {row.resource} allows no anonymous access{limited}"
