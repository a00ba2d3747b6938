"""Column mode: a field decided from the share of its values each detector accepts.

Every candidate meets a probe of values spread over the column first; those that find
nothing there are dropped, so the rest of the column meets one or two patterns. Survivors
run strongest first; once a value matched a type, weaker detectors of that type count it
without running (a VIN valid with its check digit is valid without), so each detector's
share is that of its own matches plus those of stronger ones.
"""

from __future__ import annotations

import re

from cloudaudit.model import PiiMatch, PiiType
from cloudaudit.pii import context
from cloudaudit.pii.candidates import MIXED_SHARE, Candidate
from cloudaudit.pii.mask import mask
from cloudaudit.pii.spans import BASE_CONFIDENCE
from cloudaudit.pii.types import Detector, Strength

_DIGIT = re.compile(r"\d")


def match(detector: Detector, value: str, has_digit: bool) -> str | None:
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
            if found.start() and detector.excluded_context and context.counted_against(
                    detector, value[:found.start()]):
                continue  # ``ACN 004 235 063``: the cell names it as something else
            return text
    return None


def _confidence(candidate: Candidate, share: float) -> float:
    base = BASE_CONFIDENCE[candidate.detector.strength] + (0.1 if candidate.header_context else 0.0)
    return round(min(0.99, base) * (0.6 + 0.4 * min(1.0, share)), 2)


def _fired(survivors: list[Candidate], hits: list[set[int]], examined: int) -> list[int]:
    """Survivors whose share reaches their threshold, plus the parts of a mixed column.

    A ``contact`` column of phones and e-mails has neither type in most of its values, yet
    every value is PII: identifiers of different types that each hold ``MIXED_SHARE`` of the
    column count together against the strictest of their thresholds. Only values no other
    type took count towards a part (an IP address that also reads as a phone does not).
    """
    fired = [i for i, c in enumerate(survivors) if len(hits[i]) / examined >= c.threshold]
    typed = [i for i, c in enumerate(survivors)
             if c.detector.shape is None and c.detector.strength >= Strength.STRUCTURE]

    def own_share(i: int) -> float:
        pii_type = survivors[i].detector.pii_type
        others = set().union(*(hits[j] for j in typed if survivors[j].detector.pii_type is not pii_type))
        return len(hits[i] - others) / examined

    parts = [i for i in typed if i not in fired and own_share(i) >= MIXED_SHARE]
    mixed = parts + [i for i in fired if i in typed]
    if parts and len({survivors[i].detector.pii_type for i in mixed}) > 1:
        union = set().union(*(hits[i] for i in mixed))
        if len(union) / examined >= max(survivors[i].threshold for i in mixed):
            fired += parts
    return sorted(fired)


def detect_cells(examined: list[str], probe: list[str], cands: tuple[Candidate, ...]) -> tuple[PiiMatch, ...]:
    """Per type reported: values matched, confidence, a masked example and the detectors."""
    probe_features = [(v, _DIGIT.search(v) is not None) for v in probe]
    survivors = sorted((c for c in cands if any(match(c.detector, v, d) is not None for v, d in probe_features)),
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
            found = match(detector, value, has_digit)
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
        weakest = min(survivors[i].detector.strength for i in fired)
        matched_by = [i for i, c in enumerate(survivors)
                      if c.detector.pii_type is pii_type and own[i] and c.detector.strength >= weakest]
        results.append(PiiMatch(
            pii_type=pii_type,
            matches=len(set().union(*(hits[i] for i in fired))),
            confidence=max(_confidence(survivors[i], len(hits[i]) / len(examined)) for i in fired),
            masked_example=mask(next((e for e in (examples[i] for i in matched_by) if e is not None), "")),
            detectors=tuple(survivors[i].detector.name for i in matched_by)))
    return tuple(results)
