"""The RESIDENCY rule, bound by ``aws_s3_pii_residency``, ``gcp_gcs_pii_residency`` and ``gcp_bq_pii_residency``.

Fails on every bucket or table holding a country's regulated PII outside the locations its
policy allows (compared case-insensitively: facts hold locations in lower case).
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.common.pii import pii_types, where
from cloudaudit.checks.common.rows import PiiFacts
from cloudaudit.config import CountryPolicy

PII_TYPES_COLUMN = "pii_type"
COLUMN = "location"


def value_set(policy: CountryPolicy) -> list[object]:
    return list(policy.allowed_locations)


def detail(rows: Sequence[PiiFacts], policy: CountryPolicy) -> str:
    resource = rows[0].resource
    types = pii_types(rows)
    location = rows[0].location
    if location is None:
        return f"{resource} holds {types} of {policy.country} residents; its location could not be read"
    if policy.allows(location):
        return f"{resource} holds {types} of {policy.country} residents in {location}, an allowed location"
    allowed = ", ".join(policy.allowed_locations) or "none"
    return (f"{resource} holds {types} of {policy.country} residents in {location}, outside the allowed "
            f"locations ({allowed}): {where(rows)}")
