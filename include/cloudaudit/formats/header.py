"""Is the first row a header or a record? Field names leave the extract task, so a record
mistaken for a header would put its values (names, e-mails) into snapshots and reports.

A first row is a record when one of its cells looks like a data value (an e-mail, a number,
a date, a URL, long text) or a PII detector accepts it. Otherwise it is a header only with
evidence for at least half its cells: a known column name (the PII types' context words,
such as ``氏名`` or ``alamat``), a name written as code (``customer_name``), or a cell unlike
every value under it (``city`` over ``Tokyo``, ``phone`` over digits). ``Taro Yamada,Tokyo``
over more names and cities, or alone in its file, is a record.

The known column names and the PII detectors are handed in (``parse_sample(...,
header_words=..., detectors=...)`` sets them for the parse, through ``using_header_words``
and ``detectors.using_detectors``): formats know nothing of PII, PII knows the words.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextvars import ContextVar

from cloudaudit.formats import detectors
from cloudaudit.formats.values import unique_names

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*%?")
_MAX_HEADER_CHARS = 64
_SEPARATORS = re.compile(r"[\s_\-./]+")
# A column name written as code, in any script: snake_case or camelCase (``customer_name``,
# ``電話_番号``, ``postCode``). People's names have no underscores.
_CODE_NAME = re.compile(r"[^\W\d_][^\W_]*(?:_+[^\W_]+)+_*|[a-z]+(?:[A-Z][a-z0-9]*)+")
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

    A header needs evidence: at least half its cells are known column names, names written
    as code (``customer_name``), or unlike every value under them (``city`` over ``Tokyo``,
    a word over numbers). Without it the row is read as data: a record taken for a header
    would put its values in field names, a header read as data costs only a name.

    ``header_words``: known column names (default: those of ``using_header_words``).

    >>> is_header(["name", "city"], [["Taro Yamada", "Tokyo"]])
    True
    >>> is_header(["Taro Yamada", "Tokyo"], [["Hanako Suzuki", "Osaka"], ["Jiro Sato", "Nagoya"]])
    False
    >>> is_header(["Taro Yamada", "Osaka"])  # one row and no column names: a record
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
    if any(looks_like_value(cell) for cell in named) or any(_is_pii(cell) for cell in named):
        return False
    below = below[:PROBE_ROWS]
    known = _HEADER_WORDS.get() if header_words is None else _normalised(frozenset(header_words))
    evidence = 0
    for index, cell in enumerate(cells):
        if not cell:
            continue
        column = [row[index].strip() for row in below if index < len(row) and row[index].strip()]
        if _normal(cell) in known:
            if cell in column:
                return False  # "owner" over "owner", "renter": a value of the column
            evidence += 1
        elif _CODE_NAME.fullmatch(cell) or (column and _unlike(cell, column)):
            evidence += 1
    return evidence * 2 >= len(named)


def known_column_names() -> frozenset[str]:
    """The known column names set by ``using_header_words`` (normalised; empty outside it)."""
    return _HEADER_WORDS.get()


def is_column_name(cell: str, known: frozenset[str] | None = None) -> bool:
    """A known column name: a PII type's context word (``氏名``, ``alamat``, ``Phone``).

    ``known``: as ``known_column_names()`` returns them (the default)."""
    return _normal(cell) in (_HEADER_WORDS.get() if known is None else known)


def _is_pii(cell: str) -> bool:
    return detectors.current().is_pii(cell)


def _unlike(cell: str, column: list[str]) -> bool:
    """The cell is not one more value of its column: a word over numbers, e-mails or dates, or
    in another script or letter case than every value (``city`` over ``Tokyo``)."""
    if sum(looks_like_value(value) for value in column) * 2 > len(column):
        return True
    kind = _kind(cell)
    return all(_kind(value) != kind for value in column)


def _kind(cell: str) -> tuple[str, str]:
    """(script, lower or cased): coarse, so that a value never differs from its own column by
    word count or title case (``Dr. John Smith MD`` over ``Mary Jones``)."""
    if any(char.isupper() for char in cell):
        return _script(cell), "cased"
    return _script(cell), "lower" if any(char.islower() for char in cell) else ""


@functools.cache
def _normalised(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_normal(word) for word in words)


def _normal(cell: str) -> str:
    return " ".join(_SEPARATORS.split(cell.casefold())).strip()


def _script(cell: str) -> str:
    for char in cell:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ", 1)[0]
            return "CJK" if script in ("HIRAGANA", "KATAKANA", "CJK") else script
    return ""


def header_name(cell: str, n: int) -> str:
    """The field name a header cell gives its column: ``column_<n>`` when empty, ``<key>`` when
    the cell is itself data (a pivoted export with one column per customer, named after them):
    a header that reads as a person's name, an e-mail or an ID never becomes a field name.

    >>> [header_name(c, n) for n, c in enumerate(["", "phone", "Taro Yamada", "a@b.example"], 1)]
    ['column_1', 'phone', '<key>', '<key>']
    """
    from cloudaudit.formats.mapkeys import MAP_KEY, reads_as_data

    if not cell:
        return f"column_{n}"
    if is_column_name(cell) or not (reads_as_data(cell) or _is_pii(cell)):
        return cell
    return MAP_KEY


def header_names(cells: Sequence[str]) -> list[str]:
    """The field names a header row gives its columns (``header_name`` each), made unique.

    >>> header_names(["phone", "", "phone", "Taro Yamada", "Hanako Sato"])
    ['phone', 'column_2', 'phone_2', '<key>', '<key>_2']
    """
    return unique_names([header_name(cell, n) for n, cell in enumerate(cells, 1)])
