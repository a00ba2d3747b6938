"""XLSX (openpyxl, read-only, cached values): every sheet, row 1 is its header.

Fields are ``<sheet>!<header>`` (``<sheet>!column_<n>`` for an empty header cell, or for
every column when row 1 holds data rather than names); a title above the table is read as
``<sheet>!(text)``. Shared strings are loaded whole by
openpyxl, so the archive's declared sizes are checked against the decompression cap first.
"""

from __future__ import annotations

import io
import zipfile
from itertools import chain, dropwhile, islice
from typing import TYPE_CHECKING, Any

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.header import (
    MAX_PREAMBLE_ROWS,
    PROBE_ROWS,
    header_name,
    is_header,
    preamble_length,
    trim,
)
from cloudaudit.formats.values import FieldTable, format_value, unique_names
from cloudaudit.model import TEXT_FIELD

if TYPE_CHECKING:
    from collections.abc import Iterable


def parse_xlsx(data: bytes, *, limits: Limits) -> FieldTable:
    """Up to ``max_rows`` data rows of every sheet of a whole XLSX workbook."""
    from openpyxl import load_workbook

    _check_archive(data, limits)
    table = FieldTable(limits)
    failed = False
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            _read_workbook(table, workbook, limits)
        finally:
            workbook.close()
    except Exception:  # openpyxl surfaces zip, XML and value errors of every kind; messages may quote cells
        failed = True
    if failed:  # raised outside the handler: no chained openpyxl error
        raise SampleSkipped("xlsx: corrupt or unreadable")
    return table


def _read_workbook(table: FieldTable, workbook: Any, limits: Limits) -> None:
    for index, sheet in enumerate(workbook.worksheets):
        # No room for another sheet's columns, or more sheets than fields: the rest is not read.
        if len(table.fields) >= limits.max_fields or index >= limits.max_fields:
            table.truncated = True
            return
        rows = sheet.iter_rows(max_row=limits.max_rows + 2, max_col=limits.max_fields, values_only=True)
        _read_sheet(table, str(sheet.title), rows, limits)
        if (sheet.max_row or 0) > limits.max_rows + 2:  # the dimension says more rows follow
            table.truncated = True


def _check_archive(data: bytes, limits: Limits) -> None:
    declared: int | None = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        declared = None
    if declared is None:
        raise SampleSkipped("xlsx: corrupt or unreadable")
    if declared > limits.max_decompressed_bytes * 4:
        # Sheets stream row by row, but shared strings and styles are parsed whole.
        raise SampleSkipped("xlsx: over the decompressed size limit")


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
        names = [f"{sheet}!{name}" for name in unique_names([header_name(c, n) for n, c in enumerate(first, 1)])]
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
