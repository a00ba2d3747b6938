"""gcp_bq_dataset_public: BigQuery dataset access includes allUsers or allAuthenticatedUsers."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.gcp.bq.facts import BqDatasetFacts
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "dataset_public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[BqDatasetFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.dataset_public:
        return f"Access of {row.resource} includes {row.public_entries}"
    if row.dataset_public is None:
        return f"Access entries of {row.resource} could not be read: {row.unreadable}"
    return f"Access of {row.resource} names no public member"
