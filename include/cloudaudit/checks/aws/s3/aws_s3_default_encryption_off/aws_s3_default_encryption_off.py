"""aws_s3_default_encryption_off: S3 bucket has no default encryption."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.aws.s3.facts import S3BucketFacts
from cloudaudit.checks.base import load_metadata
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "encryption_on"


def value_set(policy: CountryPolicy) -> list[object]:
    return [True]


def detail(rows: Sequence[S3BucketFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.encryption_on:
        return f"{row.resource} encrypts new objects by default ({row.encryption_algorithms})"
    if row.encryption_on is None:
        return f"Default encryption of {row.resource} could not be read: {row.unreadable}"
    return f"{row.resource} has no default encryption"
