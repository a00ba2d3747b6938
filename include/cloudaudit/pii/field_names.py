"""PII detection as formats ask for it about names (``formats.detectors.NameDetectors``).

Formats import nothing from pii; the extract path hands ``name_detectors()`` to
``parse_sample`` so that map keys, first-row cells and field-name segments that are data
never become field names.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from cloudaudit.pii import context, words
from cloudaudit.pii.engine import is_pii_text, pii_spans
from cloudaudit.pii.shapes import is_person_name


class _PiiNameDetectors:
    """The validating detectors of every country, and the PII types' column words."""

    def is_pii(self, text: str) -> bool:
        return is_pii_text(text)

    def pii_spans(self, text: str) -> Sequence[tuple[int, int]]:
        return pii_spans(text)

    def names_a_column(self, text: str) -> bool:
        return _names_a_column(text)

    def names_people(self, text: str) -> bool:
        return _mentions(words.PERSON_NAME, text)

    def is_person_name(self, text: str) -> bool:
        return is_person_name(text)


@functools.lru_cache(maxsize=4096)  # keys and parents repeat, record after record
def _mentions(vocabulary: tuple[str, ...], text: str) -> bool:
    return context.mentions(vocabulary, context.normalise(text))


@functools.lru_cache(maxsize=4096)
def _names_a_column(text: str) -> bool:
    """A spaced, capitalised key names a column only by whole words: ``Brandi Smith`` is a
    person, though ``brand`` names a column. Abbreviations are not read here (``KH.`` is an
    Indonesian honorific, ``Chue`` a surname): such a key must not become a field name."""
    return context.mentions_whole(words.COLUMN_WORDS, context.normalise(text))


@functools.cache
def name_detectors() -> _PiiNameDetectors:
    """The one instance (it keys formats' caches)."""
    return _PiiNameDetectors()
