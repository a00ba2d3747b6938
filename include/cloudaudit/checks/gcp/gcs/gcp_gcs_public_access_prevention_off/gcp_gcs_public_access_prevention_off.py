"""gcp_gcs_public_access_prevention_off: Cloud Storage public access prevention is not enforced."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.gcp.gcs.facts import GcsBucketFacts
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "pap_enforced"


def value_set(policy: CountryPolicy) -> list[object]:
    return [True]


def detail(rows: Sequence[GcsBucketFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.pap_enforced:
        return f"Public access prevention is enforced on {row.resource}"
    if row.pap_enforced is None:
        return f"Public access prevention of {row.resource} could not be read: {row.unreadable}"
    return f"Public access prevention of {row.resource} is {row.pap_setting}, not enforced"
