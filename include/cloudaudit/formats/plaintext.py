"""Free text: one ``(text)`` value per non-empty line.

A line longer than ``max_cell_chars`` (minified or one-line dumps) is read in pieces cut at
whitespace, so what follows its first ``max_cell_chars`` characters is still sampled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cloudaudit.config import Limits
from cloudaudit.formats.values import FieldTable
from cloudaudit.model import TEXT_FIELD

_NON_SPACE = re.compile(r"\S")
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")  # what str.splitlines() splits on


def parse_text(text: str, *, limits: Limits, truncated: bool) -> FieldTable:
    """Lines of text; with ``truncated`` the last (cut) line is dropped.

    A cut text with no line break at all keeps its pieces but the last (the cut one).
    """
    table = FieldTable(limits, truncated=truncated)
    table.declare(TEXT_FIELD)
    if truncated:
        end = text.rfind("\n")
        pieces = list(_pieces(text, limits.max_cell_chars))[:-1] if end < 0 else None
        text = text[: end + 1]
    else:
        pieces = None
    values = pieces if pieces is not None else _values(text, limits.max_cell_chars)
    for value in values:
        if table.full:
            table.truncated = True
            break
        table.add(TEXT_FIELD, value)
        table.rows += 1
    return table


def _values(text: str, max_chars: int) -> Iterator[str]:
    for match in _LINE.finditer(text):  # lazily, and runs of line breaks are skipped in C
        yield from _pieces(match.group(), max_chars)


def _pieces(line: str, max_chars: int) -> Iterator[str]:
    """A line's non-blank pieces of at most ``max_chars``, cut at the last space when there is one.

    >>> list(_pieces("call 0312345678 now", 12))
    ['call', '0312345678', 'now']
    """
    start, end = 0, len(line)
    while start < end:
        found = _NON_SPACE.search(line, start)
        if found is None:
            return
        start = found.start()
        stop = min(start + max_chars, end)
        if stop < end:  # cut at the last space in reach, else mid-word
            space = line.rfind(" ", start + 1, stop + 1)
            stop = space if space > start else stop
        piece = line[start:stop].strip()
        if piece:
            yield piece
        start = stop
