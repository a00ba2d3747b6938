"""Writing one table to a worksheet: safe cell values, header, frozen pane, filter, widths, colours.

Sheets are openpyxl write-only worksheets: each row is serialised to a temporary file as it is
appended, so a workbook's memory does not grow with its rows (issue 18: flat memory). Everything
that openpyxl writes before the rows (widths, frozen pane, page fit, used range) is worked out in a
first pass over the rows; the rows are then made again and written once.

Imported only by ``reports.xlsx``, which is imported inside tasks: openpyxl loads here at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

MAX_CELL_CHARS = 32_767  # Excel's limit per cell
MIN_WIDTH, MAX_WIDTH = 8, 60
FILTER_BUTTON = 3  # characters of width the autofilter arrow takes
LINE_HEIGHT = 15  # points per line of 11-point text
MAX_LINES = 20  # a row never grows past this; the cell still holds all its text

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="1F3864", end_color="1F3864")
HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

# Conditional fills (colours an auditor reads at a glance): value → background colour.
RED, ORANGE, AMBER, YELLOW, GREEN, BLUE, GREY = "F8696B", "F4B183", "FFD966", "FFF2CC", "C6EFCE", "DDEBF7", "EDEDED"
SEVERITY_FILLS = {"critical": RED, "high": ORANGE, "medium": AMBER, "low": YELLOW, "info": BLUE}
STATUS_FILLS = {"FAIL": RED, "NOT_ASSESSED": AMBER, "PASS": GREEN}
COVERAGE_FILLS = {"NOT_ASSESSED": RED, "PARTIAL": AMBER, "ASSESSED": GREEN}
PUBLIC_FILLS = {"yes": RED, "unknown": AMBER, "no": GREEN}


def fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour, bgColor=colour)


def safe_text(value: str) -> str:
    """Text a cell can hold: no XML-illegal control characters, at most Excel's cell limit.

    >>> safe_text("a\\x00b"), len(safe_text("x" * 40_000))
    ('a\\ufffdb', 32767)
    """
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL_CHARS else value[: MAX_CELL_CHARS - 1] + "…"


class StreamedSheet(WriteOnlyWorksheet):  # type: ignore[misc]  # openpyxl has no type hints
    """A write-only worksheet that states its used range (``<dimension>``) as a normal sheet does;
    openpyxl's write-only sheets leave it out. Set ``used_range`` before the first row is appended."""

    used_range = "A1:A1"

    def calculate_dimension(self) -> str:
        return self.used_range


def new_sheet(wb: Workbook, title: str) -> StreamedSheet:
    """A streamed sheet appended to ``wb`` (a ``Workbook(write_only=True)``)."""
    ws = StreamedSheet(parent=wb, title=title)
    wb._add_sheet(ws)
    return ws


def put(ws: StreamedSheet, value: Any, style: StyleArray | None = None) -> Cell:
    """One cell to append; text is always text, never a formula (``=cmd|...`` in a bucket name stays inert).

    ``style``: the cell's styles as ``style_of`` made them, given whole: a report has ~15 cells a
    finding, and setting a font or alignment per cell looks it up in the workbook's style tables
    each time (a fifth of a big report's writing time)."""
    cell = Cell(ws, row=1, column=1, style_array=style)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def style_of(ws: StreamedSheet, **styles: Any) -> StyleArray:
    """The style array of a cell with ``styles`` (``alignment=TOP``, ``font=...``), looked up once."""
    probe = WriteOnlyCell(ws)
    for name, value in styles.items():
        setattr(probe, name, value)
    return probe._style  # openpyxl keeps a cell's style ids here; Cell(style_array=) takes a copy


def display_width(value: Any) -> int:
    """Characters a value needs; CJK and Thai script count wider than Latin.

    >>> display_width("ab\\ncde"), display_width("東京 1"), display_width(None)
    (3, 6, 0)
    """
    text = "" if value is None else str(value)
    longest_line = max(text.split("\n"), key=len) if "\n" in text else text
    if longest_line.isascii():  # nearly every cell: no per-character walk
        return len(longest_line)
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in longest_line)


def column_widths(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[float]:
    """Each column as wide as its longest value (and header with its filter arrow), within bounds."""
    widths = [display_width(h) + FILTER_BUTTON for h in headers]
    for values in rows:
        for index, value in enumerate(values):
            widths[index] = max(widths[index], display_width(value))
    return [min(max(width + 1, MIN_WIDTH), MAX_WIDTH) for width in widths]


def lines_needed(value: Any, width: float) -> int:
    """How many lines wrapped text takes in a column ``width`` characters wide.

    >>> lines_needed("x" * 100, 50), lines_needed("a\\nb", 50), lines_needed(3, 8)
    (3, 2, 1)
    """
    text = "" if value is None else str(value)
    usable = max(int(width) - 1, 1)
    return sum(max(1, -(-display_width(line) // usable)) for line in text.split("\n"))


RowStyle = Callable[[int, list[Cell]], None]  # (row number, its cells) → restyle some cells before writing


def write_table(ws: StreamedSheet, headers: Sequence[str], rows: Callable[[], Iterable[Sequence[Any]]],
                wrap: Iterable[str] = (), style_row: RowStyle | None = None) -> int:
    """Header in row 1 (styled, frozen, filtered), then the rows; columns sized to content.

    ``rows`` makes the rows: called twice, once to size the columns and count the rows, once to
    write them, so no row is held longer than it takes to write it. ``style_row`` may restyle a
    row's cells before it is written. Wrapped columns get explicit row heights: LibreOffice does
    not grow rows on load. Returns the last row written (1 when there are no data rows).
    """
    count = 0

    def counted() -> Iterable[Sequence[Any]]:
        nonlocal count
        for values in rows():
            count += 1
            yield values

    widths = column_widths(headers, counted())
    last = count + 1
    wrapped = {headers.index(name) for name in wrap if name in headers}
    # What openpyxl writes before the first row must be set before the first append.
    for index, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    ws.used_range = ws.auto_filter.ref
    set_print_layout(ws)
    heading = style_of(ws, font=HEADER_FONT, fill=HEADER_FILL, border=HEADER_BORDER)
    ws.append([put(ws, name, heading) for name in headers])
    top, wrapping = style_of(ws, alignment=TOP), style_of(ws, alignment=WRAP)
    for row, values in enumerate(rows(), start=2):
        lines = 1
        cells = []
        for index, value in enumerate(values):
            cell = put(ws, value, wrapping if index in wrapped else top)
            cells.append(cell)
            if index in wrapped:
                lines = max(lines, lines_needed(value, widths[index]))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * min(lines, MAX_LINES)
        if style_row is not None:
            style_row(row, cells)
        ws.append(cells)
        ws.row_dimensions.pop(row, None)  # written: its height is in the file, not needed in memory
    return last


def set_print_layout(ws: StreamedSheet) -> None:
    """Landscape, one page wide, header repeated on every page: auditors print and file these."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def colour_column(ws: StreamedSheet, headers: Sequence[str], name: str, last_row: int,
                  fills: Mapping[str, str]) -> None:
    """Conditional fills on one column by its exact value (they follow sorting and filtering)."""
    letter = get_column_letter(headers.index(name) + 1)
    target = f"{letter}2:{letter}{max(last_row, 2)}"
    for value, colour in fills.items():
        ws.conditional_formatting.add(
            target, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill(colour)))
