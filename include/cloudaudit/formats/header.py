"""Is the first row a header or a record? Field names leave the extract task, so a record
mistaken for a header would put its values (names, e-mails) into snapshots and reports.

A first row is a record when one of its cells looks like a data value (an e-mail, a number,
a date, a URL, long text), or when every cell has the shape of the values under it (same
script, case and word count, similar length): ``Taro Yamada,Tokyo`` over more names and
cities. It is a header when a cell is a known column name (the PII types' context words, such as
``氏名`` or ``alamat``), or when a column under it holds values its cell does not look like:
``name`` over ``Taro Yamada``, ``phone`` over digits.

The known column names are handed in (``parse_sample(..., header_words=...)`` sets them for
the parse, through ``using_header_words``): formats know nothing of PII, PII knows the words.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextvars import ContextVar

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*%?")
_MAX_HEADER_CHARS = 64
_SEPARATORS = re.compile(r"[\s_\-./]+")
PROBE_ROWS = 20  # rows under the first one compared with it
MAX_PREAMBLE_ROWS = 5  # title or export-note rows looked for above a table
_HEADER_WORDS: ContextVar[frozenset[str]] = ContextVar("header_words", default=frozenset())


@contextlib.contextmanager
def using_header_words(words: Collection[str]) -> Iterator[None]:
    """Known column names for the headers judged inside the ``with`` block (this thread only)."""
    token = _HEADER_WORDS.set(_normalised(frozenset(words)))
    try:
        yield
    finally:
        _HEADER_WORDS.reset(token)


def looks_like_value(cell: str) -> bool:
    """True for cells a header would not hold: e-mails, numbers, dates, URLs, long text.

    >>> [looks_like_value(c) for c in ("email", "氏名", "a@b.example", "2024-01-31", "12.5", "address_line_1")]
    [False, False, True, True, True, False]
    """
    if len(cell) > _MAX_HEADER_CHARS or "@" in cell:
        return True
    if sum(ch.isdigit() for ch in cell) >= 3 or _NUMBER.fullmatch(cell):
        return True
    return cell.lower().startswith(("http://", "https://", "www."))


def trim(cells: Sequence[str]) -> list[str]:
    """Without trailing empty cells (spreadsheet exports pad rows with separators)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return list(cells[:end])


def preamble_length(rows: Sequence[Sequence[str]]) -> int:
    """How many leading rows are a title or export note above the table, not part of it.

    Such rows are at most half as wide as the table's usual row (``Customer list 2024`` over
    five columns); at most ``MAX_PREAMBLE_ROWS`` of them are looked for.

    >>> preamble_length([["Customers 2024"], [], ["name", "phone"], ["Taro", "03"], ["Jiro", "06"]])
    2
    >>> preamble_length([["name", "phone"], ["Taro", "03"]])
    0
    """
    widths = [len(trim(row)) for row in rows[: 1 + MAX_PREAMBLE_ROWS + PROBE_ROWS]]
    if not widths:
        return 0
    usual = max(Counter(widths).items(), key=lambda item: (item[1], item[0]))[0]
    count = 0
    while count < min(MAX_PREAMBLE_ROWS, len(widths) - 1) and widths[count] * 2 <= usual:
        count += 1
    return count


def is_header(row: Sequence[str], below: Sequence[Sequence[str]] = (),
              header_words: Collection[str] | None = None) -> bool:
    """Whether ``row`` names the columns of the rows ``below`` it (a few are enough).

    ``header_words``: known column names (default: those of ``using_header_words``).

    >>> is_header(["name", "city"], [["Taro Yamada", "Tokyo"]])
    True
    >>> is_header(["Taro Yamada", "Tokyo"], [["Hanako Suzuki", "Osaka"], ["Jiro Sato", "Nagoya"]])
    False
    >>> is_header(["氏名", "都道府県"], [["山田太郎", "東京都"]], header_words={"氏名"})  # a known name decides
    True
    >>> is_header(["氏名", "都道府県"], [["山田太郎", "東京都"]])  # unknown, and shaped like the values
    False
    """
    cells = [cell.strip() for cell in trim(row)]
    named = [cell for cell in cells if cell]
    if not named or len(named) * 2 < len(cells):
        return False
    if any(looks_like_value(cell) for cell in named):
        return False
    below = below[:PROBE_ROWS]
    known = _HEADER_WORDS.get() if header_words is None else _normalised(frozenset(header_words))
    if _mostly_column_names(cells, below, known):
        return True  # 氏名, phone, alamat: column names, whatever the rows look like
    return not _shaped_like_records(cells, below)


def _mostly_column_names(cells: list[str], below: Sequence[Sequence[str]], names: frozenset[str]) -> bool:
    """At least half the cells are known column ``names`` that do not recur as values under them."""
    known = 0
    for index, cell in enumerate(cells):
        if cell and _normal(cell) in names:
            if any(index < len(row) and row[index].strip() == cell for row in below):
                return False  # "owner" over "owner", "renter": a value of the column
            known += 1
    return known * 2 >= sum(1 for cell in cells if cell)


@functools.cache
def _normalised(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_normal(word) for word in words)


def _normal(cell: str) -> str:
    return " ".join(_SEPARATORS.split(cell.casefold())).strip()


def _shaped_like_records(cells: list[str], below: Sequence[Sequence[str]]) -> bool:
    """True when every filled cell has the shape of some value under it: a record, not names."""
    compared = False
    for index, cell in enumerate(cells):
        column = [row[index].strip() for row in below if index < len(row) and row[index].strip()]
        if not cell or not column:
            continue
        if sum(looks_like_value(value) for value in column) * 2 > len(column):
            return False  # numbers, e-mails or dates under a word: that word is a name
        if not _same_shape(cell, column):
            return False
        compared = True
    return compared


def _same_shape(cell: str, column: list[str]) -> bool:
    shape = _shape(cell)
    if not any(_shape(value) == shape for value in column):
        return False
    lengths = [len(value) for value in column]
    return min(lengths) / 2 <= len(cell) <= max(lengths) * 2


def _shape(cell: str) -> tuple[str, str, int, bool]:
    """(script, letter case, word count up to 3, snake_case): coarse enough for values to share."""
    return _script(cell), _case(cell), min(len(cell.split()), 3), "_" in cell


def _script(cell: str) -> str:
    for char in cell:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ", 1)[0]
            return "CJK" if script in ("HIRAGANA", "KATAKANA", "CJK") else script
    return ""


def _case(cell: str) -> str:
    if cell.islower():
        return "lower"
    if cell.isupper():
        return "upper"
    if cell.istitle():
        return "title"
    return "mixed" if any(char.isupper() for char in cell) else ""
