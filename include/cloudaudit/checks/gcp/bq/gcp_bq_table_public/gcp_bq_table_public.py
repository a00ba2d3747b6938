"""gcp_bq_table_public: BigQuery table IAM policy binds allUsers or allAuthenticatedUsers."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.gcp.bq.facts import BqTableFacts
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "table_public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[BqTableFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.table_public:
        return f"IAM policy of {row.resource} binds {row.public_bindings}"
    if row.table_public is None:
        return f"IAM policy of {row.resource} could not be read: {row.unreadable}"
    return f"IAM policy of {row.resource} binds no public member"
