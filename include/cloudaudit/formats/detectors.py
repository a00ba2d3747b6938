"""What formats ask of PII detection about names, handed in: formats import nothing from pii.

A field name leaves the extract task, so parsers ask whether a map key, a first-row cell or a
field-name segment is data. Their own lexical rules (an ``@``, six digits, spaced capitalised
words) need nothing; the validating detectors (check digits, numbering plans) and the PII
types' column words live in ``cloudaudit.pii``, which hands them in:
``parse_sample(..., detectors=cloudaudit.pii.field_names.name_detectors())`` sets them for the
parse through ``using_detectors``, as it sets the header words. The extract and scan path
(``cloudaudit.sampling``) always hands them in; without them only the lexical rules apply.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Protocol


class NameDetectors(Protocol):
    """The PII knowledge field-name decisions need. Implementations are hashable (they key caches)."""

    def __hash__(self) -> int: ...

    def is_pii(self, text: str) -> bool:
        """A validating detector accepts part of ``text`` (a key or a cell, full-width folded)."""
        ...

    def pii_spans(self, text: str) -> Sequence[tuple[int, int]]:
        """Where a validating detector accepts part of ``text`` (a field name, as it is written)."""
        ...

    def names_a_column(self, text: str) -> bool:
        """``text`` mentions a PII type's column word (``Customer Name``, ``Tel No``)."""
        ...

    def names_people(self, text: str) -> bool:
        """``text`` mentions a person-name column word (``owners``, ``customers``)."""
        ...

    def is_person_name(self, text: str) -> bool:
        """``text`` is shaped like a person's name (letters and name punctuation, no company form)."""
        ...


class _LexicalOnly:
    """No PII knowledge: formats' own lexical rules decide alone."""

    def is_pii(self, text: str) -> bool:
        return False

    def pii_spans(self, text: str) -> Sequence[tuple[int, int]]:
        return ()

    def names_a_column(self, text: str) -> bool:
        return False

    def names_people(self, text: str) -> bool:
        return False

    def is_person_name(self, text: str) -> bool:
        return False


LEXICAL_ONLY: NameDetectors = _LexicalOnly()
_DETECTORS: ContextVar[NameDetectors] = ContextVar("name_detectors", default=LEXICAL_ONLY)


@contextlib.contextmanager
def using_detectors(detectors: NameDetectors | None) -> Iterator[None]:
    """The detectors for the names judged inside the ``with`` block (this thread only)."""
    token = _DETECTORS.set(detectors or LEXICAL_ONLY)
    try:
        yield
    finally:
        _DETECTORS.reset(token)


def current() -> NameDetectors:
    """The detectors set by ``using_detectors`` (``LEXICAL_ONLY`` outside it)."""
    return _DETECTORS.get()
