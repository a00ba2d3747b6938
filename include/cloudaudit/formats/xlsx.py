"""XLSX (streamed, cached values): every sheet, row 1 is its header.

Fields are ``<sheet>!<header>`` (``<sheet>!column_<n>`` for an empty header cell, or for
every column when row 1 holds data rather than names); a title above the table is read as
``<sheet>!(text)``. The archive is read by ``xlsx_stream``, which inflates parts in small
chunks and stops at the bounds: ``max_decompressed_bytes`` of real inflated bytes for the
whole workbook, the rows a sample needs, a cell count, and only the shared strings the kept
cells refer to. A read a byte or cell bound ended early carries the reason (PARTIAL).
"""

from __future__ import annotations

import io
import zipfile
from itertools import chain, dropwhile, islice
from typing import TYPE_CHECKING, Any

from cloudaudit.config import Limits
from cloudaudit.errors import CallFailed, SampleSkipped
from cloudaudit.formats.cutshort import cut_short
from cloudaudit.formats.header import (
    MAX_PREAMBLE_ROWS,
    PROBE_ROWS,
    header_names,
    is_header,
    preamble_length,
    trim,
)
from cloudaudit.formats.ranged import OverBudget, RangeFile, RangeReader
from cloudaudit.formats.values import FieldTable, format_value
from cloudaudit.formats.xlsx_stream import Bounds, Workbook, XlsxCorrupt, XlsxOverBudget, read_workbook
from cloudaudit.model import TEXT_FIELD

if TYPE_CHECKING:
    from collections.abc import Iterable

CELLS_PER_KEPT_CELL = 2  # cells parsed (kept or not) per cell a full sample keeps
XLSX_READ_AHEAD = 8192  # a range read fetches at least this much: a zip header is not a request of its own


def xlsx_bounds(limits: Limits) -> Bounds:
    """What a sample of ``limits`` needs of a workbook, and no more."""
    row_bound = limits.max_rows + MAX_PREAMBLE_ROWS + 3  # notes, header, rows, one more: do more follow?
    return Bounds(max_bytes=limits.max_decompressed_bytes, row_bound=row_bound, max_fields=limits.max_fields,
                  max_cell_chars=limits.max_cell_chars,
                  cell_bound=CELLS_PER_KEPT_CELL * row_bound * limits.max_fields,
                  max_sheets=limits.max_fields)


def parse_xlsx(data: bytes, *, limits: Limits) -> FieldTable:
    """Up to ``max_rows`` data rows of every sheet of a whole XLSX workbook."""
    return read_xlsx(io.BytesIO(data), limits=limits)


def parse_xlsx_ranges(reader: RangeReader, *, limits: Limits) -> FieldTable:
    """``parse_xlsx`` of a workbook over ``max_object_bytes``, from range reads within
    ``reader``'s budget: the zip directory at the end, then the parts the sample needs (the
    workbook, relationships, styles, the leading rows of the sheets and the shared strings they
    use), each read from its start only as far as the sample goes."""
    return read_xlsx(RangeFile(reader, fetch=True, read_ahead=XLSX_READ_AHEAD), limits=limits)


def read_xlsx(file: io.BytesIO | io.RawIOBase, *, limits: Limits) -> FieldTable:
    """Up to ``max_rows`` data rows of every sheet of the XLSX workbook in ``file``."""
    book: Workbook | None = None
    over: str | None = None
    try:
        with zipfile.ZipFile(file) as archive:
            book = read_workbook(archive, xlsx_bounds(limits))
    except XlsxOverBudget as exc:
        over = str(exc.args[0])
    except CallFailed:  # a range read that failed is not damage: the collector says so
        raise
    except OverBudget:  # the directory, or the parts a workbook needs whole, are past the range budget
        over = f"xlsx: the zip directory and workbook parts are over max_object_bytes ({limits.max_object_bytes})"
    except (XlsxCorrupt, Exception):  # zip, inflate and XML errors of every kind; messages may quote cells
        book = None
        if isinstance(file, RangeFile) and file.cut_short:  # a zip directory the budget cut short: not damage
            over = (f"xlsx: the zip directory and workbook parts are over max_object_bytes "
                    f"({limits.max_object_bytes})")
    if over:
        raise SampleSkipped(over)
    if book is None:  # raised outside the handler: no chained error
        raise SampleSkipped("xlsx: corrupt or unreadable")
    table = FieldTable(limits, truncated=book.more_rows)
    for index, (title, rows) in enumerate(book.sheets):
        # No room for another sheet's columns, or more sheets than fields: the rest is not read.
        if len(table.fields) >= limits.max_fields or index >= limits.max_fields:
            table.truncated = True
            break
        _read_sheet(table, title, (tuple(row) for row in rows), limits)
    if book.reason:
        if not any(table.fields.values()):
            raise SampleSkipped(book.reason)  # no value within the bounds: never "no PII"
        cut_short(table, f"{book.reason} after {table.rows} rows")
    return table


def _read_sheet(table: FieldTable, sheet: str, rows: Iterable[tuple[Any, ...]], limits: Limits) -> None:
    as_text = ([format_value(cell) or "" for cell in row] for row in rows)
    iterator = dropwhile(lambda cells: not trim(cells), as_text)  # blank rows above the table
    # The first rows: enough to find a title above the table and tell names from a record.
    probe = list(islice(iterator, 1 + MAX_PREAMBLE_ROWS + PROBE_ROWS))
    skip = preamble_length(probe)
    for row in probe[:skip]:  # a title or note above the table is free text, not a record
        if any(row):
            table.add(f"{sheet}!{TEXT_FIELD}", " ".join(cell for cell in row if cell))
    probe = probe[skip:]
    if not probe:
        return
    first = trim(probe[0])
    names: list[str] = []
    if is_header(first, probe[1:]):
        names = [f"{sheet}!{name}" for name in header_names(first)]
        probe = probe[1:]
    for name in names:
        table.declare(name)
    read = 0
    for cells in chain(probe, iterator):
        cells = trim(cells)
        if not cells:
            continue
        if read >= limits.max_rows:
            table.truncated = True
            break
        for index in range(max(len(names), len(cells))):
            name = names[index] if index < len(names) else f"{sheet}!column_{index + 1}"
            table.add(name, (cells[index] or None) if index < len(cells) else None)
        read += 1
    table.rows += read
