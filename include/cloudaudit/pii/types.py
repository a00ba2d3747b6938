"""What a detector declares: the PII type it finds, where, how it matches and how it validates.

A detector is data (Presidio's recognizer, stdnum's module): a compiled pattern that finds
candidates, a validator that must accept a candidate (a match that fails it is dropped),
and context words that, found in a header, key path or the text just before a match, make
the candidate count. Names, addresses and dates of birth have no pattern: they need context
and pass a value-shape test instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from cloudaudit.model import PiiType

__all__ = ["Detector", "PiiType", "Strength"]


class Strength(IntEnum):
    """How much a validated match proves on its own, weakest first."""

    CONTEXT = 1  # context word + value shape (names, addresses, dates of birth)
    FORMAT = 2  # a structure that other data can share (PH PhilSys, most plates)
    STRUCTURE = 3  # embedded parts that must be valid (NIK dates, phone plans, IP ranges)
    CHECKSUM = 4  # a check digit or letter (My Number, NRIC, Luhn, VIN)


@dataclass(frozen=True)
class Detector:
    """One way of finding one PII type.

    ``countries`` empty means global. A detector of another country than the environment's
    runs only when its context (its own words or its type's, ``pii.words``) matches the
    field's header or key. ``needs_context`` makes a detector count only with context;
    ``shape`` replaces ``pattern`` for the context-only types. ``min_share`` overrides the
    share of a column's values that must match when the header gives no context.
    """

    name: str
    pii_type: PiiType
    countries: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None
    validate: Callable[[str], bool] | None = None
    shape: Callable[[str], bool] | None = None
    context: tuple[str, ...] = ()
    strength: Strength = Strength.STRUCTURE
    needs_context: bool = False
    min_len: int = 1
    max_len: int = 200
    min_digits: int = 1  # cheap prefilters: digits in the longest run (``0412 345 678``: 10); a char
    needs_char: str = ""
    excluded_context: tuple[str, ...] = field(default=())
    min_share: float | None = None
    text_needs_context: bool = False  # in prose, only after a word that names it (short checksums)

    def __post_init__(self) -> None:
        if (self.pattern is None) == (self.shape is None):
            raise ValueError(f"detector {self.name}: declare exactly one of pattern and shape")

    @property
    def is_global(self) -> bool:
        return not self.countries

    def __repr__(self) -> str:  # keeps compiled patterns and callables out of logs
        return f"Detector({self.name}, {self.pii_type.value})"
