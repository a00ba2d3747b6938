"""Field-level and span-level detection: values in, ``FieldResult`` out (counts and masked examples only).

A field is decided as a whole, from its non-empty values (at most ``MAX_VALUES``, evenly
spread). ``pii.candidates`` says which detectors may fire on it and the share of values
each needs; a column is then judged by that share (``pii.cells``), free text (the ``(text)``
field, or a column of sentences) span by span (``pii.spans``), where any validated
identifier counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from cloudaudit.model import TEXT_FIELD, FieldResult, Sample
from cloudaudit.pii import cells, spans
from cloudaudit.pii.candidates import Candidate, candidates

MAX_VALUES = 1000
"""Non-empty values examined per field (evenly spread); matches beyond are extrapolated."""
PROBE = 24
"""Values every candidate detector sees before those that found nothing are dropped."""

_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000]")
# Four words and 16+ characters, CJK sentence punctuation, or a long run of Thai (written without spaces).
_SENTENCE = re.compile(r"(?<!\S)\S++\s++\S++\s++\S++\s++\S.{11}|[。、！？]|[\u0e00-\u0e7f]{16,}")


def _clean(value: str | None) -> str:
    if not value:
        return ""
    if not isinstance(value, str):  # a caller's stray number or date: judged as its text
        value = str(value)
    value = value.strip()
    if value and not value.isascii() and _FULLWIDTH.search(value):  # ０９０−１２３４ → 090-1234
        value = unicodedata.normalize("NFKC", value)
    return value


def _spread(values: list[str], limit: int) -> list[str]:
    """At most ``limit`` values evenly spread over the list (sorted columns are not judged by their head)."""
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return [values[int(i * step)] for i in range(limit)]


def _is_free_text(field: str, probe: list[str], cands: tuple[Candidate, ...]) -> bool:
    if field == TEXT_FIELD:
        return True
    if any(c.detector.shape is not None and c.header_context for c in cands):
        return False  # a names or addresses column is judged cell by cell
    sentences = sum(1 for v in probe if _SENTENCE.search(v))
    return bool(probe) and sentences * 2 >= len(probe)


def detect_field(field: str, values: Sequence[str | None], country: str) -> FieldResult:
    """Detect PII in one field's values; raw values never leave this function."""
    country = country.upper()
    cleaned = [v for v in (_clean(raw) for raw in values) if v]
    examined = _spread(cleaned, MAX_VALUES)
    cands = candidates(field, country)
    probe = _spread(examined, PROBE)
    if not examined or not cands:
        return FieldResult(field=field, rows_sampled=len(values), non_empty=len(cleaned))
    if _is_free_text(field, probe, cands):
        matches = spans.detect_spans(examined, {c.detector.name: c.header_context for c in cands}, country)
    else:
        matches = cells.detect_cells(examined, probe, cands)
    scale = len(cleaned) / len(examined)
    pii = tuple(m.model_copy(update={"matches": round(m.matches * scale)}) for m in matches)
    return FieldResult(field=field, rows_sampled=len(values), non_empty=len(cleaned), pii=pii)


def detect_sample(sample: Sample, country: str) -> tuple[FieldResult, ...]:
    """One ``FieldResult`` per field of a parsed ``Sample``, in the sample's field order."""
    return tuple(detect_field(name, values, country) for name, values in sample.fields.items())
