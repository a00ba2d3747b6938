"""gcp_gcs_bucket_public: Cloud Storage bucket IAM policy binds allUsers or allAuthenticatedUsers."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.gcp.gcs.facts import GcsBucketFacts
from cloudaudit.config import CountryPolicy

METADATA = load_metadata(__file__)  # the JSON beside this file; raises unless id == folder == module
COLUMN = "bucket_public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[GcsBucketFacts], policy: CountryPolicy) -> str:
    row = rows[0]
    if row.bucket_public:
        return f"IAM policy of {row.resource} binds {row.public_bindings}"
    if row.neutralised_by and row.public_bindings:
        return f"IAM policy of {row.resource} binds {row.public_bindings}, neutralised by {row.neutralised_by}"
    if row.bucket_public is None:
        return f"IAM policy or public access prevention of {row.resource} could not be read: {row.unreadable}"
    return f"IAM policy of {row.resource} binds no public member"
