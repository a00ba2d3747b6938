"""Span detection in free text: identifiers inside sentences, each judged with the words around it.

A span of the environment's country or a global detector counts on its own when the
detector is strong (a check digit, validated parts); a weak format, a short checksum that
random numbers pass often (an 8-digit TFN), another country's identifier or a context-only
type (a date of birth) counts only when a word that names it occurs just before it, or in
the field's header. Names and addresses are read after a
label and a separator (``氏名：山田 太郎``, ``Address: 12 Jalan ...``).

Most text holds no PII, so each line first meets cheap tests: the longest run of digits
(``0412 345 678`` is one run of 10), required characters (``@``), and one normalisation of
the line that word gates use before any detector whose words are not there would run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cloudaudit.model import PiiMatch, PiiType
from cloudaudit.pii import context
from cloudaudit.pii.mask import mask
from cloudaudit.pii.registry import detectors_for
from cloudaudit.pii.types import Detector, Strength

BASE_CONFIDENCE = {Strength.CHECKSUM: 0.95, Strength.STRUCTURE: 0.85, Strength.FORMAT: 0.7, Strength.CONTEXT: 0.6}

_NON_DIGITS = re.compile(r"\D+")
_DIGIT_RUN = re.compile(r"\d+(?:(?:[ ().:\-/]{1,2}| {3,6})\d+)*")  # digits joined by the separators identifiers use
_LABEL_SEPARATOR = re.compile(r"[:：=]|\bis\b|は|คือ|\blà\b|\badalah\b|\bay\b")
_LABEL_VALUE = {  # the value after a separator, up to the punctuation that ends it
    PiiType.PERSON_NAME: re.compile(r"[^\S\n]*([^\W\d_][^\n,;|()（）、。\d@]{1,58}?)"
                                    r"(?=\s*(?:[\n,;|()（）、。]|様|さん|$|\s{2}))"),
    PiiType.ADDRESS: re.compile(r"[^\S\n]*([^\n;|。]{6,200}?)(?=\s*(?:[\n;|。]|$))"),
}
_LABEL_LOOKBACK = 40


@dataclass(frozen=True)
class Span:
    """One identifier found in free text: where, by which detector, and whether context named it."""

    start: int
    end: int
    detector: Detector
    local: bool
    text: str
    context: bool  # a context word before it (or in the header)


@dataclass(frozen=True)
class _Label:
    """The words that name a context-only type, ready for ``str.endswith`` (one C call)."""

    ascii: tuple[str, ...]
    other: tuple[str, ...]
    excluded_ascii: tuple[str, ...]
    excluded_other: tuple[str, ...]

    def ends(self, folded: str, lowered: str) -> bool:
        """Does the text before a separator (normalised, and only lowered) end with a label?"""
        if folded.endswith(self.excluded_ascii) or lowered.endswith(self.excluded_other):
            return False
        for word in self.ascii:  # a word must start at a word boundary: "surname", not "filename"
            if folded.endswith(word) and (len(folded) == len(word) or not folded[-len(word) - 1].isalpha()):
                return True
        return lowered.endswith(self.other)


def _label(detector: Detector) -> _Label:
    names, excluded = context.words_for(detector), context.excluded_for(detector)
    return _Label(tuple(context.normalise(w) for w in names if w.isascii()),
                  tuple(w.lower() for w in names if not w.isascii()),
                  tuple(context.normalise(w) for w in excluded if w.isascii()),
                  tuple(w.lower() for w in excluded if not w.isascii()))


@dataclass(frozen=True)
class _Plan:
    """The detectors for free text in one country, grouped so most text skips most of them."""

    strong: tuple[Detector, ...]  # the country's and global detectors that need no context
    gated: tuple[tuple[Detector, context.WordGate, bool], ...]  # need a word first: (detector, gate, local)
    any_gated: context.WordGate  # all their words: most lines have none, and skip them all at once
    labels: tuple[tuple[Detector, _Label], ...]  # names and addresses: after a label and a separator
    label_gate: context.WordGate


@functools.lru_cache(maxsize=32)
def _plan(country: str) -> _Plan:
    strong, gated, labels = [], [], []
    for detector in detectors_for(country):
        local = detector.is_global or country in detector.countries
        if detector.shape is not None:
            labels.append((detector, _label(detector)))
        elif (local and not detector.needs_context and not detector.text_needs_context
              and detector.strength >= Strength.STRUCTURE):
            strong.append(detector)
        elif local:
            gated.append((detector, context.WordGate(context.words_for(detector)), True))
        elif detector.context:  # another country's identifier: only under its own name
            gated.append((detector, context.WordGate(detector.context), False))
    any_gated = context.WordGate(tuple(w for d, _, local in gated
                                       for w in (context.words_for(d) if local else d.context)))
    label_gate = context.WordGate(tuple(w for d, _ in labels for w in context.words_for(d)))
    return _Plan(tuple(strong), tuple(gated), any_gated, tuple(labels), label_gate)


def _near_context(detector: Detector, text: str, start: int, local: bool) -> bool:
    window = context.normalise(text[max(0, start - context.WINDOW):start], camel=False)
    return context.mentions(context.words_for(detector) if local else detector.context, window)


def _pattern_spans(detector: Detector, text: str, local: bool, named_by_field: bool, strong: bool) -> list[Span]:
    assert detector.pattern is not None
    found = []
    for match in detector.pattern.finditer(text):
        candidate = match.group()
        if detector.validate is not None and not detector.validate(candidate):
            continue
        if detector.excluded_context and context.counted_against(detector, text[:match.start()], local):
            continue
        named = named_by_field or _near_context(detector, text, match.start(), local)
        if strong or named:
            found.append(Span(match.start(), match.end(), detector, local, candidate, named))
    return found


def _labelled_spans(labels: tuple[tuple[Detector, _Label], ...], text: str) -> list[Span]:
    """``<context word> : <value>`` for the context-only types (names, addresses)."""
    found: list[Span] = []
    for separator in _LABEL_SEPARATOR.finditer(text):
        before = text[max(0, separator.start() - _LABEL_LOOKBACK):separator.start()]
        folded, lowered = context.normalise(before, camel=False), before.rstrip().lower()
        for detector, label in labels:
            value_pattern = _LABEL_VALUE.get(detector.pii_type)
            if value_pattern is None or detector.shape is None or not label.ends(folded, lowered):
                continue
            value = value_pattern.match(text, separator.end())
            if value and detector.shape(value.group(1).strip()) and _reads_as(detector.pii_type, value.group(1)):
                found.append(Span(value.start(1), value.end(1), detector, True, value.group(1).strip(), True))
    return found


_LATIN_LOWER = re.compile(r"[a-zà-ÿ]")
_LATIN_UPPER = re.compile(r"[A-ZÀ-Þ]")


def _reads_as(pii_type: PiiType, value: str) -> bool:
    """After a label in prose, a name in Latin script is capitalised (``Name: billiard`` is not one)."""
    if pii_type is not PiiType.PERSON_NAME:
        return True
    return not _LATIN_LOWER.search(value) or _LATIN_UPPER.search(value) is not None


def find_spans(text: str, country: str, field_context: Mapping[str, bool] | None = None) -> list[Span]:
    """Validated, context-checked, non-overlapping spans in one text value.

    ``field_context`` names the detectors whose words the field's header holds (a
    ``notes_nric`` column): their spans need no word in the sentence.
    """
    plan = _plan(country.upper())
    named_by_field = field_context or {}
    digit_run = max((len(_NON_DIGITS.sub("", run)) for run in _DIGIT_RUN.findall(text)), default=0)
    found: list[Span] = []
    for detector in plan.strong:
        if detector.min_digits <= digit_run and (not detector.needs_char or detector.needs_char in text):
            found += _pattern_spans(detector, text, True, named_by_field.get(detector.name, False), True)
    folded = context.normalise(text, camel=False)
    tokens = frozenset(folded.split())
    worded = plan.any_gated.may_occur(folded, tokens)
    for detector, gate, local in plan.gated:
        if detector.min_digits > digit_run or (detector.needs_char and detector.needs_char not in text):
            continue
        named = named_by_field.get(detector.name, False)
        if named or (worded and gate.may_occur(folded, tokens)):
            found += _pattern_spans(detector, text, local, named, False)
    if plan.label_gate.may_occur(folded, tokens):
        found += _labelled_spans(plan.labels, text)
    # Overlaps: a named span wins (``NIK 3578...`` is not also a JCB card), then the stronger,
    # the local, the country's own (``jp_phone`` over ``phone_international``), the longer.
    found.sort(key=lambda s: (not s.context, -s.detector.strength, not s.local, s.detector.is_global,
                              s.start - s.end))
    kept: list[Span] = []
    for span in found:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return kept


def detect_spans(values: list[str], field_context: Mapping[str, bool], country: str) -> tuple[PiiMatch, ...]:
    """Per type: spans found over all values, an example, the detectors; any one span counts."""
    counts: dict[PiiType, int] = {}
    examples: dict[PiiType, str] = {}
    fired: dict[PiiType, set[str]] = {}
    strength: dict[PiiType, Strength] = {}
    for value in values:
        for span in find_spans(value, country, field_context):
            pii_type = span.detector.pii_type
            counts[pii_type] = counts.get(pii_type, 0) + 1
            examples.setdefault(pii_type, span.text)
            fired.setdefault(pii_type, set()).add(span.detector.name)
            strength[pii_type] = max(strength.get(pii_type, Strength.CONTEXT), span.detector.strength)
    return tuple(
        PiiMatch(pii_type=pii_type, matches=count, confidence=BASE_CONFIDENCE[strength[pii_type]],
                 masked_example=mask(examples[pii_type]), detectors=tuple(sorted(fired[pii_type])))
        for pii_type, count in sorted(counts.items())
    )
