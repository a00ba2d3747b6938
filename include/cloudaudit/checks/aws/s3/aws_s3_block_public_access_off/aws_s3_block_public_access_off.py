"""aws_s3_block_public_access_off: S3 Block Public Access is not fully on (bucket nor account)."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.aws.s3.facts import S3BucketFacts
from cloudaudit.checks.base import load_metadata
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "bpa_fully_on"


def value_set(policy: CountryPolicy) -> list[object]:
    return [True]


def detail(rows: Sequence[S3BucketFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.bpa_fully_on:
        return f"Block Public Access fully on for {row.resource} ({row.bpa_sources})"
    if row.bpa_fully_on is None:
        return f"Block Public Access of {row.resource} could not be read: {row.unreadable or 'account setting unreadable'}"
    return f"Block Public Access of {row.resource} is off at bucket and account level for: {row.bpa_off_flags}"
