"""Context words: does a header, key path or the text before a match name a PII type?

Headers are normalised once (``dateOfBirth``, ``date_of_birth`` and ``Date-Of-Birth`` all
become ``date of birth``). ASCII words match at a word start (``phone`` in ``phoneno``,
not ``ip`` in ``zip``); words of three letters or fewer must be whole tokens (``lat`` is not
``late``). Words in other scripts match anywhere, as those scripts do not separate words.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from cloudaudit.pii import words

if TYPE_CHECKING:
    from cloudaudit.pii.types import Detector

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-./\\\[\]()!:#,;|]+")
WINDOW = 48
"""Characters before a match in free text searched for its context words."""


_INITIALS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_] ){1,}[^\W\d_](?![^\W\d_])")


def normalise(text: str, camel: bool = True) -> str:
    """Lower case, separators to single spaces, (for headers) camelCase split, and dotted
    initials joined (``D.O.B`` → ``dob``, ``N.R.I.C. No`` → ``nric no``).

    >>> normalise("D.O.B"), normalise("customerEmail_2"), normalise("N.R.I.C. No")
    ('dob', 'customer email 2', 'nric no')
    """
    if camel:
        text = _CAMEL.sub(" ", text)
    text = _SEPARATORS.sub(" ", text).strip().lower()
    return _INITIALS.sub(lambda m: m.group(0).replace(" ", ""), text)


# Key path segments that say nothing alone: ``name.first``, ``phone.number``, ``address.line1``.
_GENERIC_CHILDREN = frozenset({"first", "last", "given", "family", "middle", "full", "number", "no", "value",
                               "line1", "line2", "line 1", "line 2", "local", "national", "international",
                               "e164", "home", "work", "primary", "text", "raw", "formatted"})


_DOTTED_INITIALS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![^\W\d_]))?")


def header_of(field: str) -> str:
    """The normalised last segment of a field name (``Sheet!Phone``, ``a.b[].phone`` → ``phone``),
    with its parent when it says nothing alone (``customer.name.first`` → ``name first``)."""
    field = _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", ""), field)  # D.O.B is a header, not a path
    segments = [s for s in re.split(r"[.!]", field.replace("[]", "")) if s] or [field]
    last = normalise(segments[-1])
    if last in _GENERIC_CHILDREN and len(segments) > 1:
        return f"{normalise(segments[-2])} {last}"
    return last


def readings(header: str) -> tuple[str, ...]:
    """A normalised header as written and, when it abbreviates, as ``pii.lexicon`` reads it
    (``tgl lhr`` → ``tanggal lahir``, ``ten kh`` → ``ten khach hang``, ``jusho`` → ``住所``)."""
    from cloudaudit.pii import lexicon

    reading = lexicon.read(header)
    return (header,) if reading == header else (header, reading)


def _word_pattern(word: str) -> str:
    word = normalise(word) if word.isascii() else word.lower()
    escaped = re.escape(word).replace(r"\ ", r"\s?")
    if not word.isascii():
        return escaped
    if len(word.replace(" ", "")) <= 3:
        return rf"(?<![a-z]){escaped}(?![a-z])"
    return rf"(?<![a-z]){escaped}"


@functools.lru_cache(maxsize=512)
def compile_words(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled alternation for a tuple of context words (None for no words)."""
    if not words:
        return None
    return re.compile("|".join(_word_pattern(w) for w in sorted(words, key=len, reverse=True)))


@functools.lru_cache(maxsize=64)
def _compile_whole(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = [_word_pattern(w) + (r"(?:e?s)?(?![a-z])" if w.isascii() else "")
             for w in sorted(words, key=len, reverse=True)]
    return re.compile("|".join(parts))


def mentions_whole(words: tuple[str, ...], normalised_text: str) -> bool:
    """Like ``mentions``, but an ASCII word must end where a word ends (a plural allowed):
    ``brand`` is in ``brands``, not in ``brandi``."""
    pattern = _compile_whole(words)
    return pattern is not None and pattern.search(normalised_text) is not None


def mentions(words: tuple[str, ...], normalised_text: str) -> bool:
    """True when any of ``words`` occurs in the (already normalised) text."""
    pattern = compile_words(words)
    return pattern is not None and pattern.search(normalised_text) is not None


class WordGate:
    """A fast, lenient test of whether any of many context words may occur in a text.

    Big alternations with look-behinds are slow in ``re`` (tens of µs on a line). The gate
    checks ASCII words as whole tokens (phrases by their first token) and other scripts by
    substring; a text that passes is then checked precisely with ``compile_words``.
    """

    def __init__(self, words: tuple[str, ...]) -> None:
        ascii_words = [normalise(w) for w in words if w.isascii()]
        self.tokens = frozenset(w.split()[0] for w in ascii_words if w)
        self.others = tuple(sorted({w.lower() for w in words if not w.isascii()}))

    def may_occur(self, folded: str, tokens: frozenset[str] | None = None) -> bool:
        """``folded`` is the text after ``normalise``; ``tokens`` its words, when already split."""
        if not self.tokens.isdisjoint(folded.split() if tokens is None else tokens):
            return True
        return not folded.isascii() and any(w in folded for w in self.others)


def words_for(detector: Detector) -> tuple[str, ...]:
    """The detector's own context words and those of its type."""
    return detector.context + words.BY_TYPE[detector.pii_type]


def excluded_for(detector: Detector) -> tuple[str, ...]:
    """Headers that contain the type's words but name something else."""
    return detector.excluded_context + words.EXCLUDED_BY_TYPE.get(detector.pii_type, ())


def _last_mention(words: tuple[str, ...], normalised_text: str) -> int:
    pattern = compile_words(words)
    return max((m.end() for m in pattern.finditer(normalised_text)), default=-1) if pattern else -1


def counted_against(detector: Detector, before: str, local: bool = True) -> bool:
    """Does the text just before a match name it as something else (``ABN 51 824 753 556`` is a
    company's number, not a TFN), more closely than any word that names the detector's type?"""
    if not detector.excluded_context:
        return False
    window = normalise(before[-WINDOW:], camel=False)
    against = _last_mention(detector.excluded_context, window)
    return against >= 0 and against > _last_mention(words_for(detector) if local else detector.context, window)
