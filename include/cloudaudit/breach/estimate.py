"""How many people an exposed resource may concern, estimated from what extraction recorded.

Never a raw value: only counts. A BigQuery table has ``numRows``; an object's sampled rows are
scaled by its size over the bytes read (exact when the whole object was read). The estimate
says which basis it used and how many objects it covers, so a reader can judge it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cloudaudit.model import PiiType, Resource, SampleResult


@dataclass(frozen=True)
class AffectedEstimate:
    people: int | None          # None: nothing to count from
    basis: str
    objects_counted: int
    pii_types: tuple[PiiType, ...]


def _sample_has_pii(sample: SampleResult) -> bool:
    return any(f.pii for f in sample.fields)


def _rows_in_object(sample: SampleResult) -> tuple[int, bool]:
    """(estimated rows, exact?) for one sampled object."""
    rows = sample.rows_sampled
    if not sample.truncated or not sample.size or sample.bytes_read <= 0 or sample.bytes_read >= sample.size:
        return rows, not sample.truncated
    return round(rows * sample.size / sample.bytes_read), False


def _types(samples: Iterable[SampleResult]) -> tuple[PiiType, ...]:
    return tuple(sorted({m.pii_type for s in samples for f in s.fields for m in f.pii}))


def estimate_affected(resource: Resource) -> AffectedEstimate:
    """People whose data a bucket or table holds, as far as the snapshot can tell.

    A table counts its rows (``num_rows``); a bucket sums the estimated rows of its sampled
    objects that hold PII (one row, one person: a conservative upper reading for customer
    tables, stated in the basis).
    """
    with_pii = [s for s in resource.samples if _sample_has_pii(s)]
    types = _types(with_pii)
    num_rows = resource.config.get("num_rows")
    if resource.kind == "table" and isinstance(num_rows, int) and num_rows >= 0:
        return AffectedEstimate(num_rows, "table rows (numRows), one person per row", 0, types)
    if not with_pii:
        return AffectedEstimate(None, "no sampled object holds PII", 0, types)
    total, exact = 0, True
    for sample in with_pii:
        rows, whole = _rows_in_object(sample)
        total += rows
        exact = exact and whole
    how = "rows read in full" if exact else "sampled rows scaled by object size over bytes read"
    return AffectedEstimate(total, f"{how}, summed over {len(with_pii)} sampled object(s) holding PII; "
                                   "one person per row; objects not sampled are not counted",
                            len(with_pii), types)
