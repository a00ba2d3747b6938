"""The PII_EXPOSURE rule, bound by ``aws_s3_pii_public``, ``gcp_gcs_pii_public`` and ``gcp_bq_pii_public``.

Fails on every bucket or table holding regulated PII that anyone can read. A bucket is
publicly readable when it, or the sampled object holding the PII, is (decided in facts).
A grant public to the cloud that reads no data (anyone may only write, or only see metadata)
does not expose the PII: the check passes and Detail names the grant.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.common.pii import pii_types, where
from cloudaudit.checks.common.rows import PiiFacts, join
from cloudaudit.config import CountryPolicy

PII_TYPES_COLUMN = "pii_type"
COLUMN = "public"


def value_set(policy: CountryPolicy) -> list[object]:
    return [False]


def detail(rows: Sequence[PiiFacts], policy: CountryPolicy) -> str:
    resource = rows[0].resource
    types = pii_types(rows)
    exposed = [r for r in rows if r.public]
    if exposed:
        via = join(v.strip() for r in exposed for v in r.public_via.split(",") if v.strip())
        return f"{resource} is readable by anyone ({via}) and holds {pii_types(exposed)}: {where(exposed)}"
    without = join(v.strip() for r in rows for v in r.public_without_read.split(";") if v.strip())
    note = f" (public, but reads no data: {without})" if without else ""
    if any(r.public is None for r in rows):
        return (f"{resource} holds {types}; whether it is publicly readable could not be determined{note}: "
                f"{where(rows)}")
    return f"{resource} holds {types} and is not publicly readable{note}: {where(rows)}"
