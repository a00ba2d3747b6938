"""Field-level and span-level detection: values in, ``FieldResult`` out (counts and masked examples only).

A field is decided as a whole. Each detector that may run on it (the environment's country
and the global ones always, other countries' only when the header names them) is tried on
a probe of values spread over the column; those that find nothing there are dropped, so the
rest of the column meets one or two patterns. A type is reported when the share of
non-empty values it matches reaches the detector's threshold: lower when the header or key
names the type, higher for weak formats, so one stray number does not mark a column.

Free text (the ``(text)`` field, or a column of sentences) is searched span by span
(``pii.spans``); there any validated identifier counts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cloudaudit.model import FieldResult, PiiMatch, PiiType
from cloudaudit.pii import context, spans
from cloudaudit.pii.mask import mask
from cloudaudit.pii.registry import all_detectors
from cloudaudit.pii.types import Detector, Strength

if TYPE_CHECKING:
    from cloudaudit.formats.sample import Sample

TEXT_FIELD = "(text)"  # as cloudaudit.formats.sample.TEXT_FIELD (not imported: formats is heavier)
MAX_VALUES = 1000
"""Non-empty values examined per field (evenly spread); matches beyond are extrapolated."""
PROBE = 24
"""Values every candidate detector sees before those that found nothing are dropped."""

HEADER_SHARE = 0.3  # the header names the type
SHAPE_SHARE = 0.5  # names, addresses, dates of birth: loose shapes need half the column
FOREIGN_SHARE = 0.5  # another country's identifier under a matching header
MIXED_SHARE = 0.2  # one type's share in a column of several (a ``contact`` of phones and e-mails)
SHARE_BY_STRENGTH = {Strength.CHECKSUM: 0.5, Strength.STRUCTURE: 0.6, Strength.FORMAT: 0.8}
BASE_CONFIDENCE = spans.BASE_CONFIDENCE

_DIGIT = re.compile(r"\d")
_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000]")
# Four words and 16+ characters, CJK sentence punctuation, or a long run of Thai (written without spaces).
_SENTENCE = re.compile(r"\S+\s+\S+\s+\S+\s+\S.{11}|[。、！？]|[\u0e00-\u0e7f]{16,}")


@dataclass(frozen=True)
class _Candidate:
    """A detector bound to one field: does the header name its type, and what share it needs."""

    detector: Detector
    header_context: bool
    local: bool
    threshold: float


def _threshold(detector: Detector, header_context: bool, local: bool) -> float:
    if detector.shape is not None:
        return SHAPE_SHARE
    if not local:
        return FOREIGN_SHARE
    if header_context:
        return HEADER_SHARE
    return detector.min_share or SHARE_BY_STRENGTH.get(detector.strength, 0.8)


@functools.lru_cache(maxsize=4096)
def candidates(field: str, country: str) -> tuple[_Candidate, ...]:
    """The detectors that may fire on ``field`` in an environment of ``country``."""
    header = context.header_of(field)
    found = []
    for detector in all_detectors():
        local = detector.is_global or country in detector.countries
        if context.mentions(context.excluded_for(detector), header):
            continue
        # Another country's identifier needs its own name in the header (``nric``, ``aadhaar``).
        own_words = context.words_for(detector) if local else detector.context
        header_context = context.mentions(own_words, header)
        if not header_context and (not local or detector.needs_context):
            continue
        found.append(_Candidate(detector, header_context, local, _threshold(detector, header_context, local)))
    return tuple(found)


def _clean(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if value and not value.isascii() and _FULLWIDTH.search(value):  # ０９０−１２３４ → 090-1234
        value = unicodedata.normalize("NFKC", value)
    return value


def _match(detector: Detector, value: str, has_digit: bool) -> str | None:
    """The part of ``value`` the detector accepts (the whole value for shapes), or None."""
    if not detector.min_len <= len(value) <= detector.max_len or (detector.min_digits and not has_digit):
        return None
    if detector.needs_char and detector.needs_char not in value:
        return None
    if detector.pattern is None:
        assert detector.shape is not None
        return value if detector.shape(value) else None
    for found in detector.pattern.finditer(value):
        text = found.group()
        if detector.validate is None or detector.validate(text):
            return text
    return None


def _spread(values: list[str], limit: int) -> list[str]:
    """At most ``limit`` values evenly spread over the list (sorted columns are not judged by their head)."""
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return [values[int(i * step)] for i in range(limit)]


def _confidence(candidate: _Candidate, share: float) -> float:
    base = BASE_CONFIDENCE[candidate.detector.strength] + (0.1 if candidate.header_context else 0.0)
    return round(min(0.99, base) * (0.6 + 0.4 * min(1.0, share)), 2)


def _is_free_text(field: str, probe: list[str], cands: tuple[_Candidate, ...]) -> bool:
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
        matches = _detect_cells(examined, probe, cands)
    scale = len(cleaned) / len(examined)
    pii = tuple(m.model_copy(update={"matches": round(m.matches * scale)}) for m in matches)
    return FieldResult(field=field, rows_sampled=len(values), non_empty=len(cleaned), pii=pii)


def _survives(detector: Detector, probe: list[tuple[str, bool]]) -> bool:
    return any(_match(detector, value, has_digit) is not None for value, has_digit in probe)


def _fired(survivors: list[_Candidate], hits: list[set[int]], examined: int) -> list[int]:
    """Survivors whose share reaches their threshold, plus the parts of a mixed column.

    A ``contact`` column of phones and e-mails has neither type in most of its values, yet
    every value is PII: identifiers of different types that each hold ``MIXED_SHARE`` of the
    column count together against the strictest of their thresholds.
    """
    fired = [i for i, c in enumerate(survivors) if len(hits[i]) / examined >= c.threshold]
    typed = [i for i, c in enumerate(survivors) if c.detector.shape is None and c.detector.strength >= Strength.STRUCTURE]

    def own_share(i: int) -> float:  # values no detector of another type took: not an IP read as a phone
        others = set().union(*(hits[j] for j in typed if survivors[j].detector.pii_type is not survivors[i].detector.pii_type))
        return len(hits[i] - others) / examined

    parts = [i for i in typed if i not in fired and own_share(i) >= MIXED_SHARE]
    mixed = parts + [i for i in fired if i in typed]
    if parts and len({survivors[i].detector.pii_type for i in mixed}) > 1:
        union = set().union(*(hits[i] for i in mixed))
        if len(union) / examined >= max(survivors[i].threshold for i in mixed):
            fired += parts
    return sorted(fired)


def _detect_cells(examined: list[str], probe: list[str], cands: tuple[_Candidate, ...]) -> tuple[PiiMatch, ...]:
    """Column mode: a value counts for a type when one of the type's surviving detectors accepts it.

    Survivors run strongest first; once a value matched a type, weaker detectors of that type
    count it without running (a VIN valid with its check digit is valid without), so each
    detector's share is that of its own matches plus those of stronger ones.
    """
    probe_features = [(v, _DIGIT.search(v) is not None) for v in probe]
    survivors = sorted((c for c in cands if _survives(c.detector, probe_features)),
                       key=lambda c: (c.detector.pii_type, -c.detector.strength, c.detector.is_global))
    if not survivors:
        return ()
    hits: list[set[int]] = [set() for _ in survivors]
    own: list[int] = [0] * len(survivors)
    examples: list[str | None] = [None] * len(survivors)
    need_digit = any(c.detector.min_digits for c in survivors)
    bound = [(i, c.detector, c.detector.pii_type, c.detector.min_len, c.detector.max_len, c.detector.min_digits > 0)
             for i, c in enumerate(survivors)]
    for index, value in enumerate(examined):
        has_digit = need_digit and _DIGIT.search(value) is not None
        length = len(value)
        matched: PiiType | None = None  # survivors are grouped by type: only the current group matters
        for i, detector, pii_type, min_len, max_len, needs_digit in bound:
            if matched is pii_type:
                hits[i].add(index)
                continue
            if length < min_len or length > max_len or (needs_digit and not has_digit):
                continue  # cheap prefilter before any pattern or validator
            found = _match(detector, value, has_digit)
            if found is not None:
                hits[i].add(index)
                own[i] += 1
                matched = pii_type
                if examples[i] is None:
                    examples[i] = found
    by_type: dict[PiiType, list[int]] = {}
    for i in _fired(survivors, hits, len(examined)):
        by_type.setdefault(survivors[i].detector.pii_type, []).append(i)
    results = []
    for pii_type, fired in sorted(by_type.items()):
        rows = set().union(*(hits[i] for i in fired))
        weakest = min(survivors[i].detector.strength for i in fired)
        matched_by = [i for i, c in enumerate(survivors)
                      if c.detector.pii_type is pii_type and own[i] and c.detector.strength >= weakest]
        example = next((e for e in (examples[i] for i in matched_by) if e is not None), "")
        confidence = max(_confidence(survivors[i], len(hits[i]) / len(examined)) for i in fired)
        results.append(PiiMatch(pii_type=pii_type, matches=len(rows), confidence=confidence,
                                masked_example=mask(example), detectors=tuple(survivors[i].detector.name
                                                                              for i in matched_by)))
    return tuple(results)


def detect_sample(sample: Sample, country: str) -> tuple[FieldResult, ...]:
    """One ``FieldResult`` per field of a parsed ``Sample``, in the sample's field order."""
    return tuple(detect_field(name, values, country) for name, values in sample.fields.items())
