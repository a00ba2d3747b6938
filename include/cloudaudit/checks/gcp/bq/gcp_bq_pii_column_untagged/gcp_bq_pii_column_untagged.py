"""gcp_bq_pii_column_untagged: BigQuery column holding PII has no policy tag."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.gcp.bq.facts import BqTableFacts
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "pii_columns_tagged"
PII_TYPES_COLUMN = "pii_types"  # the regulated types in untagged columns


def value_set(policy: CountryPolicy) -> list[object]:
    return [True]


def detail(rows: Sequence[BqTableFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.pii_columns_tagged is None:
        return f"Schema or sample of {row.resource} could not be read: {row.unreadable or 'not sampled'}"
    if row.pii_columns_tagged and not row.pii_columns:
        return f"No column of {row.resource} holds regulated PII in the sample"
    if row.pii_columns_tagged:
        return f"Every column of {row.resource} holding regulated PII has a policy tag ({row.pii_columns})"
    return f"Columns of {row.resource} holding regulated PII without a policy tag: {row.untagged_pii_columns}"
