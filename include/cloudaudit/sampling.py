"""Sampled bytes → per-field detection results. The one place raw values are handled.

Collectors call ``analyse_bytes`` (objects) or ``analyse_rows`` (table rows); what comes
back carries counts, PII types and masked examples only, so it can be written to a snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudaudit.config import Limits
    from cloudaudit.formats.ranged import RangeReader
    from cloudaudit.model import FieldResult, Sample


def detect(sample: Sample, country: str) -> tuple[FieldResult, ...]:
    """Detect PII per field of a parsed sample; any failure becomes a value-free SampleSkipped."""
    from cloudaudit.pii import detect_sample
    from cloudaudit.pii.guard import guarded

    with guarded(f"{sample.format}: PII detection failed"):
        return detect_sample(sample, country)


def analyse_bytes(name: str, data: bytes, *, country: str, limits: Limits, truncated: bool = False,
                  content_type: str | None = None) -> tuple[Sample, tuple[FieldResult, ...]]:
    """Parse an object's (possibly range-read) bytes and detect PII in it.

    Raises ``SampleSkipped`` with the reason when the object cannot be sampled. Returns the
    Sample too (its repr prints only sizes) so callers can record format and row counts.
    """
    from cloudaudit.pii.guard import guarded

    with guarded("unreadable sample"):  # a parser bug must not carry the bytes out in its message
        sample = parse_bytes(name, data, limits=limits, truncated=truncated, content_type=content_type)
    return sample, detect(sample, country)


def parse_bytes(name: str, data: bytes, *, limits: Limits, truncated: bool = False,
                content_type: str | None = None) -> Sample:
    """``formats.parse_sample`` with what PII knows about names handed in (the column words and
    the validating detectors), so that no data becomes a field name: the extract path's parse."""
    from cloudaudit.formats import parse_sample
    from cloudaudit.pii.field_names import name_detectors
    from cloudaudit.pii.words import header_words

    return parse_sample(name, data, limits=limits, truncated=truncated, content_type=content_type,
                        header_words=header_words(), detectors=name_detectors())


def analyse_ranges(fmt: str, reader: RangeReader, *, country: str,
                   limits: Limits) -> tuple[Sample, tuple[FieldResult, ...]]:
    """``analyse_bytes`` for a Parquet or XLSX object over ``max_object_bytes``: its footer or
    zip directory and then only the parts the sample needs, range-read through ``reader``
    (whose ``bytes_read`` stays within its budget). A failed read raises ``CallFailed``."""
    from cloudaudit.formats import parse_ranges
    from cloudaudit.pii.field_names import name_detectors
    from cloudaudit.pii.guard import guarded
    from cloudaudit.pii.words import header_words

    with guarded("unreadable sample"):
        sample = parse_ranges(fmt, reader, limits=limits, header_words=header_words(), detectors=name_detectors())
    return sample, detect(sample, country)
