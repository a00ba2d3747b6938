"""CSV and TSV: delimiter detection and bounded row reading.

Whether the first row is a header is decided in ``header``; headerless files get
``column_<n>`` names (1-based).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.header import (
    MAX_PREAMBLE_ROWS,
    PROBE_ROWS,
    header_names,
    is_header,
    preamble_length,
    trim,
)
from cloudaudit.formats.values import FieldTable, format_value
from cloudaudit.model import TEXT_FIELD

DELIMITERS = (",", "\t", ";", "|")
_DELIMITER_PROBE_ROWS = 20
_PROBE_CHARS = 65_536
_MIN_CONSISTENT_SHARE = 0.8  # rows with the usual width, for content to count as delimited
_EXCEL_SEPARATOR = re.compile(r"sep=([^\r\n])\r?\n")
_MAX_BAD_ROWS = 100  # rows the reader rejects before the rest of the text is given up


@dataclass(frozen=True)
class _Fit:
    """How well a delimiter splits the probe: the usual row width and the share of rows with it."""

    delimiter: str
    width: int
    share: float
    rows: int
    prose: bool


def detect_delimiter(text: str) -> str | None:
    """The delimiter of delimited content, or None when ``text`` does not look delimited.

    >>> detect_delimiter("a;b;c\\n1;2;3\\n"), detect_delimiter("just some words\\nmore words")
    (';', None)
    """
    fits = [fit for fit in _fits(text) if fit.rows >= 2 and fit.share >= _MIN_CONSISTENT_SHARE
            and not (fit.delimiter in ",;" and fit.prose)]
    return _best(fits, None)


def choose_delimiter(text: str, preferred: str) -> str:
    """The delimiter to parse a file declared CSV/TSV with: the best fit, else ``preferred``."""
    return _best(list(_fits(text)), preferred) or preferred


def _best(fits: list[_Fit], preferred: str | None) -> str | None:
    if not fits:
        return None
    best = max(fits, key=lambda fit: (round(fit.share, 2), fit.delimiter == preferred, fit.width))
    return best.delimiter


def _fits(text: str) -> Iterator[_Fit]:
    probe = text[:_PROBE_CHARS]
    for delimiter in DELIMITERS:
        if delimiter not in probe:
            continue
        rows = _read_rows(probe, delimiter, _DELIMITER_PROBE_ROWS).rows
        if not rows:
            continue
        width, count = Counter(len(row) for row in rows).most_common(1)[0]
        if width >= 2:
            yield _Fit(delimiter, width, count / len(rows), len(rows), _reads_like_prose(rows))


def _reads_like_prose(rows: list[list[str]]) -> bool:
    """In a sentence a comma is followed by a space ("Regards, the dealer"); between CSV cells
    it rarely is, and quoted cells ("Smith, John") are one cell to the reader."""
    later = [cell for row in rows for cell in row[1:]]
    return sum(cell.startswith(" ") for cell in later) * 2 > len(later)


@dataclass
class _Read:
    """Rows read, and why reading stopped short or skipped something (empty: it did not)."""

    rows: list[list[str]]
    problem: str = ""


def _read_rows(text: str, delimiter: str, limit: int, *, width: int | None = None,
               max_line: int | None = None) -> _Read:
    """Up to ``limit`` non-empty rows of at most ``width`` cells.

    A physical line longer than ``max_line`` is cut there (so a row of a million cells costs
    no more than ``max_line`` characters), and a row the reader rejects (a cell over the csv
    module's field limit, a NUL) is skipped and reading goes on with the next line; both are
    named in ``problem``. An unbalanced quote swallows the rest into one oversized cell: the
    rows before it parsed cleanly and are kept.
    """
    result = _Read([])
    if max_line is not None and len(text) > max_line:
        text, cut = _long_lines(max_line).subn(lambda line: line.group()[:max_line], text)
        if cut:
            result.problem = f"a row over {max_line} characters was cut"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors = 0
    while True:
        try:
            for row in reader:  # the reader goes on with the next line after an error
                if row and any(cell.strip() for cell in row):
                    result.rows.append(row[:width] if width is not None else row)
                    if len(result.rows) >= limit:
                        return result
            return result
        except csv.Error as exc:
            errors += 1
            result.problem = _describe(exc)
            if errors >= _MAX_BAD_ROWS:
                result.problem += f"; reading stopped after {_MAX_BAD_ROWS} such rows"
                return result


@functools.lru_cache(maxsize=8)
def _long_lines(max_line: int) -> re.Pattern[str]:
    # Anchored at line starts (not after a character of the line), so the scan stays linear.
    return re.compile(rf"(?<![^\r\n])[^\r\n]{{{max_line}}}[^\r\n]*")


def _describe(exc: csv.Error) -> str:
    """The reader's complaint without its text (it may quote a character of the data)."""
    if "field limit" in str(exc):
        return f"a row with a cell over the csv field limit ({csv.field_size_limit()} characters) was skipped"
    return "a malformed row was skipped"


def parse_delimited(text: str, *, fmt: str, limits: Limits, truncated: bool, preferred: str = ",") -> FieldTable:
    """Rows of a CSV/TSV text into fields; with ``truncated`` the last (partial) row is dropped.

    A row the reader rejects or had to cut leaves the sample ``partial`` (its reason says
    why): the rows around it are still read, but the sample is not complete to its bounds.
    """
    declared = _EXCEL_SEPARATOR.match(text)
    if declared:  # Excel's "sep=;" line names the delimiter and is not a row
        delimiter, text = declared.group(1), text[declared.end():]
    else:
        delimiter = choose_delimiter(text, preferred)
    wanted = MAX_PREAMBLE_ROWS + limits.max_rows + 2  # notes, header, rows, one more: do more follow?
    table = FieldTable(limits)
    max_line = max(csv.field_size_limit(), limits.max_fields * (limits.max_cell_chars + 3))
    read = _read_rows(text, delimiter, wanted, width=limits.max_fields + 1, max_line=max_line)
    rows = read.rows
    if read.problem and not rows:
        raise SampleSkipped(f"{fmt}: corrupt or unreadable")
    if truncated and len(rows) < wanted:
        rows = rows[:-1]  # the range read cut the last one
    table.truncated = truncated or bool(read.problem)
    table.partial = f"{fmt}: {read.problem}" if read.problem else ""
    add_rows(table, rows)
    return table


def add_rows(table: FieldTable, rows: list[list[str]], *, text_field: str = TEXT_FIELD) -> None:
    """Rows of cells into ``table``: the first row names the columns if it is a header.

    Title or note rows above the table are read as free text (``text_field``), not as records.
    """
    skip = preamble_length(rows)
    for row in rows[:skip]:
        note = " ".join(cell.strip() for cell in row if cell.strip())
        if note:
            table.add(text_field, note)
    rows = rows[skip:]
    if not rows:
        return
    limits = table.limits
    names: list[str] = []
    first = rows[0][: limits.max_fields]  # columns past max_fields are dropped: never look at them
    if is_header(first, [row[: limits.max_fields] for row in rows[1 : 1 + PROBE_ROWS]]):
        names = header_names([cell.strip() for cell in trim(first)])
        rows = rows[1:]
    if len(rows) > limits.max_rows:
        table.truncated = True
    for name in names:
        table.declare(name)
    for row in rows[: limits.max_rows]:
        _add_row(table, names, row, limits.max_fields)


def _add_row(table: FieldTable, names: list[str], row: list[str], max_fields: int) -> None:
    width = max(len(names), len(trim(row[:max_fields])))
    for index in range(width):
        name = names[index] if index < len(names) else f"column_{index + 1}"
        table.add(name, format_value(row[index]) if index < len(row) else None)
    table.rows += 1
