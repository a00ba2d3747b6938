"""A bounded, streaming XLSX reader: sheets' leading rows and only the shared strings they use.

openpyxl (even read-only) loads the whole shared-strings table and builds each row whole, so
one row of a million cells or a table of millions of strings costs what the archive inflates
to. Here every part is inflated in small chunks into an expat parser that builds no tree:

- all parts together inflate at most ``max_decompressed_bytes`` (real bytes, counted as they
  come out of the zip stream; a member whose declared size is over the budget is not read
  whole);
- a sheet is read up to ``row_bound`` rows and at most ``cell_bound`` cells over the whole
  workbook, cells past ``max_fields`` columns are counted but not kept;
- shared strings are parsed only up to the highest index the kept cells refer to, and only
  those strings are kept.

A DTD anywhere is refused (no entity expansion). Reading stops with a value-free reason.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast
from xml.parsers import expat

from cloudaudit.formats.ranged import OverBudget

CHUNK_BYTES = 65_536
_COLUMN = re.compile(r"[A-Za-z]{1,3}")
_BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47})
_OFFICE_DOCUMENT = "/officeDocument"
_SHARED_STRINGS = "/sharedStrings"


class XlsxCorrupt(Exception):
    """The archive is not a workbook this reader can read (no data in the message)."""


class XlsxOverBudget(Exception):
    """A part that must be read whole (workbook, styles) is over the budget; args[0] is the reason."""


class _Stop(Exception):
    """Raised from an expat handler to end a part early: a bound was reached."""


@dataclass(frozen=True)
class SharedRef:
    """A cell holding an index into the shared-strings table, resolved after the sheets."""

    index: int


@dataclass
class Stats:
    """Work done, for the bounds to be checked in tests and in the reason."""

    bytes_inflated: int = 0
    cells_parsed: int = 0
    strings_parsed: int = 0


@dataclass
class Workbook:
    """Each sheet's title and leading rows (cells by column, values resolved)."""

    sheets: list[tuple[str, list[list[Any]]]] = field(default_factory=list)
    more_rows: bool = False  # a sheet had rows past ``row_bound``: an ordinary sample cut
    reason: str = ""  # a byte or cell bound ended the read: what was not read, value-free
    stats: Stats = field(default_factory=Stats)


@dataclass(frozen=True)
class Bounds:
    max_bytes: int
    row_bound: int  # rows kept per sheet, blank separator rows included
    max_fields: int  # columns kept per row
    max_cell_chars: int  # characters kept per cell or string
    cell_bound: int  # cells parsed over the whole workbook, kept or not
    max_sheets: int


def read_workbook(archive: zipfile.ZipFile, bounds: Bounds) -> Workbook:
    """The sheets' leading rows within ``bounds``. Raises XlsxCorrupt for a non-workbook."""
    for info in archive.infolist():  # each local header must match the directory: checked, not inflated
        archive.open(info).close()
    reader = _Reader(archive, bounds)
    book = reader.workbook
    workbook_path, sheets, strings_path = reader.parts()
    date_styles = reader.date_styles(workbook_path)
    epoch = reader.epoch
    columns = 0  # a sample keeps max_fields fields: sheets past those columns are not inflated
    for index, (title, path) in enumerate(sheets):
        if index >= bounds.max_sheets or columns >= bounds.max_fields:
            book.more_rows = True
            break
        if book.reason:
            break
        rows = reader.sheet_rows(path, date_styles, epoch)
        book.sheets.append((title, rows))
        columns += max(map(len, rows), default=0)
    needed = {cell.index for _, rows in book.sheets for row in rows for cell in row if isinstance(cell, SharedRef)}
    strings = reader.shared_strings(strings_path, needed) if needed and strings_path else {}
    if needed and book.reason and book.stats.strings_parsed <= max(needed):
        _keep_resolved(book, book.stats.strings_parsed)  # a bound cut the shared strings short
    for _, rows in book.sheets:
        for row in rows:
            row[:] = [strings.get(cell.index) if isinstance(cell, SharedRef) else cell for cell in row]
    return book


def _keep_resolved(book: Workbook, parsed: int) -> None:
    """Keep each sheet's rows up to the first one that refers to a shared string past the
    ``parsed`` first: a row whose text was never read is not a row sampled (its cells would
    pass for empty). Writers number strings as cells first use them, so those are the rows
    past the point where the shared strings were cut."""
    for index, (title, rows) in enumerate(book.sheets):
        for number, row in enumerate(rows):
            if any(isinstance(cell, SharedRef) and cell.index >= parsed for cell in row):
                book.sheets[index] = (title, rows[:number])
                break


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, bounds: Bounds) -> None:
        self.archive, self.bounds = archive, bounds
        self.workbook = Workbook()
        self.names = {info.filename: info for info in archive.infolist()}
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

        self.epoch: dt.datetime = CALENDAR_WINDOWS_1900

    # ---- parts: relationships, workbook, styles ------------------------------------------

    def parts(self) -> tuple[str, list[tuple[str, str]], str | None]:
        """The workbook part, its sheets (title, part) in order, and the shared-strings part."""
        workbook_path = next((target for kind, _, target in self._relationships("", "_rels/.rels")
                              if kind.endswith(_OFFICE_DOCUMENT)), "xl/workbook.xml")
        base = posixpath.dirname(workbook_path)
        rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook_path) + ".rels")
        rels = self._relationships(base, rels_path)
        targets = {rel_id: target for _, rel_id, target in rels}
        strings_path = next((target for kind, _, target in rels if kind.endswith(_SHARED_STRINGS)), None)
        sheets: list[tuple[str, str]] = []
        root: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if not root:
                root.append(name)
            if name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
                from openpyxl.utils.datetime import CALENDAR_MAC_1904

                self.epoch = CALENDAR_MAC_1904
            if name == "sheet":
                rel_id = next((value for key, value in attrs.items() if key.split(":")[-1] == "id"), "")
                if rel_id in targets:
                    sheets.append((attrs.get("name", ""), targets[rel_id]))

        self._parse_whole(workbook_path, start)
        if root != ["workbook"]:
            raise XlsxCorrupt
        return workbook_path, sheets, strings_path

    def _relationships(self, base: str, path: str) -> list[tuple[str, str, str]]:
        found: list[tuple[str, str, str]] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                found.append((attrs.get("Type", ""), attrs.get("Id", ""), full))

        if path in self.names:
            self._parse_whole(path, start)
        return found

    def date_styles(self, workbook_path: str) -> frozenset[int]:
        """Indices of cell styles that format numbers as dates."""
        from openpyxl.styles.numbers import is_date_format, is_timedelta_format

        custom: dict[int, str] = {}
        formats: list[int] = []
        in_xfs = False

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal in_xfs
            if name == "numFmt":
                custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                in_xfs = True
            elif name == "xf" and in_xfs:
                formats.append(_int(attrs.get("numFmtId")))

        def end(name: str) -> None:
            nonlocal in_xfs
            if name == "cellXfs":
                in_xfs = False

        path = posixpath.join(posixpath.dirname(workbook_path), "styles.xml")
        if path in self.names:
            self._parse_whole(path, start, end)

        def is_date(format_id: int) -> bool:
            code = custom.get(format_id)
            if code is None:
                return format_id in _BUILTIN_DATE_FORMATS
            return is_date_format(code) and not is_timedelta_format(code)

        return frozenset(n for n, format_id in enumerate(formats) if is_date(format_id))

    # ---- sheets ------------------------------------------------------------------------------

    def sheet_rows(self, path: str, date_styles: frozenset[int], epoch: dt.datetime) -> list[list[Any]]:
        """A sheet's leading rows (a gap of blank rows becomes one blank row)."""
        parser = _SheetParser(self.bounds, self.workbook, date_styles, epoch)
        complete = self._stream(path, parser.start, parser.end, parser.text, what="sheet")
        parser.finish_row()
        if not complete and not self.workbook.reason:
            self.workbook.more_rows = True
        return parser.rows

    # ---- shared strings ------------------------------------------------------------------------

    def shared_strings(self, path: str, needed: set[int]) -> dict[int, str]:
        """The strings at the ``needed`` indices; parsing stops past the highest one."""
        last = max(needed)
        strings: dict[int, str] = {}
        stats = self.workbook.stats
        parts: list[str] = []
        kept = 0  # characters of the current string: a string is cut at the byte budget
        depth_phonetic = 0
        in_text = False

        def start(name: str, _attrs: dict[str, str]) -> None:
            nonlocal depth_phonetic, in_text, kept
            if name == "si":
                parts.clear()
                kept = 0
            elif name == "rPh":
                depth_phonetic += 1
            elif name == "t" and not depth_phonetic:
                in_text = True

        def end(name: str) -> None:
            nonlocal depth_phonetic, in_text
            if name == "t":
                in_text = False
            elif name == "rPh":
                depth_phonetic -= 1
            elif name == "si":
                if stats.strings_parsed in needed:
                    strings[stats.strings_parsed] = "".join(parts)
                stats.strings_parsed += 1
                parts.clear()
                if stats.strings_parsed > last:
                    raise _Stop

        def text(data: str) -> None:
            nonlocal kept
            if in_text and kept < self.bounds.max_cell_chars:
                parts.append(data)
                kept += len(data)

        self._stream(path, start, end, text, what="shared strings")
        return strings

    # ---- inflating and parsing -----------------------------------------------------------------

    def _parse_whole(self, path: str, start: Callable[[str, dict[str, str]], None],
                     end: Callable[[str], None] | None = None) -> None:
        """A part that must be read whole (workbook, relationships, styles): refused if it is
        declared, or turns out, larger than what is left of the budget."""
        info = self.names.get(path)
        if info is None:
            raise XlsxCorrupt
        reason = f"xlsx: {posixpath.basename(path)} over the decompressed size limit"
        if info.file_size > self._room() or not self._stream(path, start, end, None, what=""):
            raise XlsxOverBudget(reason)

    def _stream(self, path: str, start: Callable[[str, dict[str, str]], None],
                end: Callable[[str], None] | None, text: Callable[[str], None] | None, *, what: str) -> bool:
        """Inflate ``path`` chunk by chunk into an expat parser; False when a bound ended it."""
        info = self.names.get(path)
        if info is None:
            raise XlsxCorrupt
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
        if end is not None:
            parser.EndElementHandler = lambda name: end(_local(name))
        if text is not None:
            parser.CharacterDataHandler = text
        parser.buffer_text = True
        stats = self.workbook.stats
        with self.archive.open(info) as opened:
            member = cast(zipfile.ZipExtFile, opened)  # what ZipFile.open returns for reading
            while True:
                room = self._room()
                if room <= 0:
                    self._cut(f"xlsx: {what} over the decompressed size limit")
                    return False
                try:
                    # read1: one read of the compressed stream at a time, so what it inflated is
                    # parsed before the next read can meet the range budget (``read`` would
                    # loop on and lose it with the OverBudget)
                    chunk = member.read1(min(CHUNK_BYTES, room))
                except OverBudget:  # a range read's byte budget (``ranged``) ended the part here
                    if not what:
                        raise XlsxOverBudget(f"xlsx: {posixpath.basename(path)} over max_object_bytes") from None
                    self._cut(f"xlsx: {what} over max_object_bytes")
                    return False
                stats.bytes_inflated += len(chunk)
                try:
                    parser.Parse(chunk, not chunk)
                except _Stop:
                    return False
                except expat.ExpatError:
                    raise XlsxCorrupt from None
                if not chunk:
                    return True

    def _room(self) -> int:
        return self.bounds.max_bytes - self.workbook.stats.bytes_inflated

    def _cut(self, reason: str) -> None:
        self.workbook.reason = self.workbook.reason or reason


class _SheetParser:
    """expat handlers for a worksheet: rows of cells, kept within the bounds."""

    def __init__(self, bounds: Bounds, book: Workbook, date_styles: frozenset[int], epoch: dt.datetime) -> None:
        self.bounds, self.book, self.date_styles, self.epoch = bounds, book, date_styles, epoch
        self.rows: list[list[Any]] = []
        self.row: list[Any] | None = None
        self.last_row = 0
        self.column = 0
        self.cell_type = ""
        self.cell_style = 0
        self.value: list[str] = []
        self.kept = 0
        self.in_value = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            if len(self.rows) >= self.bounds.row_bound:
                raise _Stop  # enough rows: the rest of the sheet is never inflated
            number = _int(attrs.get("r"), self.last_row + 1)
            if number > self.last_row + 1 and self.rows:
                self.rows.append([])  # blank rows between: one separator is enough
            self.last_row = max(number, self.last_row + 1)
            self.row, self.column = [], 0
        elif name == "c":
            stats = self.book.stats
            stats.cells_parsed += 1
            if stats.cells_parsed > self.bounds.cell_bound:
                self.book.reason = self.book.reason or "xlsx: over the cell limit"
                raise _Stop
            self.column = _column(attrs.get("r"), self.column + 1)
            self.cell_type, self.cell_style = attrs.get("t", "n"), _int(attrs.get("s"))
            self.value, self.kept = [], 0
        elif name in ("v", "t") and not self.phonetic:
            self.in_value = True
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        if name in ("v", "t"):
            self.in_value = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
            if self.row is not None and self.column <= self.bounds.max_fields:
                self.row.extend([None] * (self.column - 1 - len(self.row)))
                self.row.append(self._cell_value("".join(self.value)))
            self.value = []
        elif name == "row":
            self.finish_row()
        elif name == "sheetData":
            raise _Stop  # what follows (merged cells, hyperlinks...) holds no cell values

    def text(self, data: str) -> None:
        if self.in_value and self.kept < self.bounds.max_cell_chars:  # cells are cut there anyway
            self.value.append(data)
            self.kept += len(data)

    def finish_row(self) -> None:
        if self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def _cell_value(self, raw: str) -> Any:
        kind = self.cell_type
        if kind == "s":
            return SharedRef(_int(raw, -1))
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                raise XlsxCorrupt from None  # as openpyxl: a typed cell that does not parse is damage
        return self._number(raw.strip())

    def _number(self, raw: str) -> Any:
        if not raw:
            return None
        try:
            value: int | float = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            raise XlsxCorrupt from None
        if self.cell_style in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(value, self.epoch)
            except (ValueError, OverflowError):
                return value
        return value


def _refuse_dtd(*_args: Any) -> None:
    raise XlsxCorrupt  # an XLSX part never needs a DTD; entity expansion is a bomb of its own


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _column(reference: str | None, default: int) -> int:
    """``"AB12"`` → 28; a cell without a reference follows the previous one."""
    match = _COLUMN.match(reference or "")
    if not match:
        return default
    number = 0
    for letter in match.group().upper():
        number = number * 26 + ord(letter) - 64
    return number

