"""Sampled bytes → per-field detection results. The one place raw values are handled.

Collectors call ``analyse_bytes`` (objects) or ``analyse_rows`` (table rows); what comes
back carries counts, PII types and masked examples only, so it can be written to a snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudaudit.config import Limits
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
    from cloudaudit.formats import parse_sample
    from cloudaudit.pii.guard import guarded
    from cloudaudit.pii.words import header_words

    with guarded("unreadable sample"):  # a parser bug must not carry the bytes out in its message
        sample = parse_sample(name, data, limits=limits, truncated=truncated, content_type=content_type,
                              header_words=header_words())
    return sample, detect(sample, country)
