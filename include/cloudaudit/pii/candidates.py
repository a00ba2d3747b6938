"""Which detectors may fire on a field, and the share of its values each needs.

The environment's country's detectors and the global ones always run; another country's
only when the header names them with their own words (``nric``, ``aadhaar``). Detectors
that need context (names, addresses, dates of birth, PhilSys, bare phones) run only when the
header names their type. The threshold is the share of a column's non-empty values a
detector must accept for its type to be reported.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cloudaudit.pii import context
from cloudaudit.pii.registry import detectors_for
from cloudaudit.pii.types import Detector, Strength

HEADER_SHARE = 0.3  # the header names the type
SHAPE_SHARE = 0.5  # names, addresses, dates of birth: loose shapes need half the column
FOREIGN_SHARE = 0.5  # another country's identifier under its own name
MIXED_SHARE = 0.2  # one type's share in a column of several (a ``contact`` of phones and e-mails)
SHARE_BY_STRENGTH = {Strength.CHECKSUM: 0.5, Strength.STRUCTURE: 0.6, Strength.FORMAT: 0.8}
"""Without header context: so one stray number does not mark a column."""


@dataclass(frozen=True)
class Candidate:
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
def candidates(field: str, country: str) -> tuple[Candidate, ...]:
    """The detectors that may fire on ``field`` in an environment of ``country`` (upper case)."""
    headers = context.readings(context.header_of(field))  # as written, and abbreviations read in full
    found = []
    for detector in detectors_for(country):
        if any(context.mentions(context.excluded_for(detector), header) for header in headers):
            continue
        local = detector.is_global or country in detector.countries
        own_words = context.words_for(detector) if local else detector.context
        header_context = any(context.mentions(own_words, header) for header in headers)
        if not header_context and (not local or detector.needs_context):
            continue
        found.append(Candidate(detector, header_context, local, _threshold(detector, header_context, local)))
    return tuple(found)
