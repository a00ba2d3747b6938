"""Field-level and span-level detection: values in, ``FieldResult`` out (counts and masked examples only).

A field is decided as a whole, from its non-empty values (at most ``MAX_VALUES``, evenly
spread). ``pii.candidates`` says which detectors may fire on it and the share of values
each needs; a column is then judged by that share (``pii.cells``), free text (the ``(text)``
field, or a column of sentences) span by span (``pii.spans``), where any validated
identifier counts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from cloudaudit.model import TEXT_FIELD, FieldResult, PiiMatch, PiiType, Sample
from cloudaudit.pii import cells, names_by_value, spans
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
    cands = candidates(_named_by(field), country)
    probe = _spread(examined, PROBE)
    by_value = names_by_value.detect_column(_named_by(field), examined, probe, country) if examined else None
    if not examined or not (cands or by_value):
        return FieldResult(field=field, rows_sampled=len(values), non_empty=len(cleaned))
    if not cands:
        matches: tuple[PiiMatch, ...] = ()
    elif _is_free_text(field, probe, cands):
        matches = spans.detect_spans(examined, {c.detector.name: c.header_context for c in cands}, country)
    else:
        matches = cells.detect_cells(examined, probe, cands)
    if by_value is not None and all(m.pii_type is not PiiType.PERSON_NAME for m in matches):
        matches = tuple(sorted((*matches, by_value), key=lambda m: m.pii_type))  # a headerless column of names
    scale = len(cleaned) / len(examined)
    pii = tuple(m.model_copy(update={"matches": round(m.matches * scale)}) for m in matches)
    return FieldResult(field=field, rows_sampled=len(values), non_empty=len(cleaned), pii=pii)


_MAP_PARTS = (".<key>", ".<value>")  # as cloudaudit.formats.mapkeys writes a map's keys and values


def _named_by(field: str) -> str:
    """The name that gives a field its context: a map's keys and values by the map's own name
    (``customers.<key>`` → ``customers``, so a map keyed by names reads as names)."""
    for part in _MAP_PARTS:
        if field.endswith(part):
            return field.removesuffix(part)
    return field


@functools.lru_cache(maxsize=8192)
def pii_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where validating pattern detectors of any country accept part of ``text`` (a key, a
    header cell, a field name): such text is data, never a name. Context-only shapes (names)
    are not asked: without context every capitalised word would read as a name."""
    from cloudaudit.pii.registry import all_detectors

    has_digit = any(char.isdigit() for char in text)
    found: list[tuple[int, int]] = []
    for detector in all_detectors():
        if detector.pattern is None or (detector.min_digits and not has_digit):
            continue
        if detector.needs_char and detector.needs_char not in text:
            continue
        for match in detector.pattern.finditer(text):
            part = match.group()
            if detector.min_len <= len(part) <= detector.max_len and (
                    detector.validate is None or detector.validate(part)):
                found.append(match.span())
    return tuple(sorted(set(found)))


def is_pii_text(text: str) -> bool:
    """Whether a validating pattern detector accepts part of ``text`` (see ``pii_spans``)."""
    return bool(pii_spans(_clean(text)))


def detect_sample(sample: Sample, country: str) -> tuple[FieldResult, ...]:
    """One ``FieldResult`` per field of a parsed ``Sample``, in the sample's field order."""
    return tuple(detect_field(name, values, country) for name, values in sample.fields.items())
