"""Parquet over ``max_object_bytes``: the footer and the leading column chunks, range-read.

The footer is at the end of the file, so a read of the first bytes cannot parse it. Instead:

1. the last 8 bytes give the footer's length (and the ``PAR1`` magic); a footer that claims
   more than the object holds is refused, one over the budget is not fetched;
2. the footer is fetched and parsed; the leading columns are chosen as for a whole file;
3. row group by row group, the chosen column chunks' byte ranges (from the footer: checked to
   lie between the leading magic and the footer, else the file is refused) are fetched while
   they fit what is left of the budget; when not even the first row group's chunks fit, the
   leading columns whose chunks do;
4. the fetched chunks are parsed by ``parquet.read_parquet``, which prices every page by its
   own header, as for a whole file; pyarrow reads through a file that serves only the ranges
   fetched (anything else is an error), so nothing is fetched that was not planned.

Every byte fetched counts against ``max_object_bytes`` (``ranged.RangeReader``). When the
budget, not ``max_rows`` or the file's end, left row groups or columns unread, the sample is
PARTIAL: ``parquet: 2 of 9 row groups within max_object_bytes after 180 rows``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.config import Limits
from cloudaudit.errors import CallFailed, SampleSkipped
from cloudaudit.formats.cutshort import cut_short
from cloudaudit.formats.parquet import Selection, leading_columns, read_parquet
from cloudaudit.formats.ranged import OverBudget, RangeFile, RangeReader
from cloudaudit.formats.values import FieldTable

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow.parquet as pq

MAGIC = b"PAR1"
CORRUPT = "parquet: corrupt or unreadable"
WITHIN = "within max_object_bytes"


@dataclass(frozen=True)
class FetchPlan:
    """Which row groups and columns to fetch, and the byte ranges that holds."""

    selection: Selection
    groups: int
    rows: int  # rows the footer says those groups hold
    ranges: list[tuple[int, int]]  # (start, length), merged where adjacent
    cut: bool  # the budget, not max_rows or the file's end, stopped it


def parse_parquet_ranges(reader: RangeReader, *, limits: Limits) -> FieldTable:
    """The leading rows of a Parquet object too big to read whole, from range reads within
    ``reader``'s budget. Raises ``SampleSkipped`` with a value-free reason."""
    try:
        footer, data_end = _footer(reader, limits)
        parquet = _metadata(footer)
        metadata = parquet.metadata
        selection = leading_columns(parquet.schema_arrow, limits, metadata.num_columns)
    except (SampleSkipped, CallFailed):  # a failed range read is the collector's to report
        raise
    except OverBudget as exc:
        raise SampleSkipped(f"parquet: {exc.args[0]}") from None
    except Exception:  # pyarrow's messages may quote data
        footer = b""
    if not footer:
        raise SampleSkipped(CORRUPT)
    plan = plan_fetch(metadata, selection, limits, room=reader.room, data_end=data_end, missing=reader.missing)
    try:
        for start, length in plan.ranges:
            reader.fill(start, length)  # bytes already held (an object's head) are not fetched again
    except OverBudget as exc:  # pragma: no cover - the plan fits the room
        raise SampleSkipped(f"parquet: {exc.args[0]}") from None

    def open_file(dictionary: list[str] | None) -> pq.ParquetFile:
        import pyarrow.parquet as pq

        return pq.ParquetFile(RangeFile(reader), metadata=metadata, read_dictionary=dictionary, pre_buffer=False)

    table = read_parquet(reader, open_file, limits=limits, chosen=plan.selection, groups=plan.groups)
    every = len(selection.columns or ())
    if len(plan.selection.columns or ()) < every:
        cut_short(table, f"parquet: {len(plan.selection.columns or ())} of {every} columns {WITHIN}")
    if plan.cut and table.rows < limits.max_rows:
        cut_short(table, f"parquet: {plan.groups} of {metadata.num_row_groups} row groups {WITHIN} "
                         f"after {table.rows} rows")
    return table


def _footer(reader: RangeReader, limits: Limits) -> tuple[bytes, int]:
    """The footer with its length and magic, and where the column data must end."""
    size = reader.size
    if size < 2 * len(MAGIC) + 4:
        raise SampleSkipped(CORRUPT)
    tail = reader.read(size - 8, 8)
    if tail[4:] != MAGIC:
        raise SampleSkipped(CORRUPT)
    length = int.from_bytes(tail[:4], "little")
    if length + 8 + len(MAGIC) > size:
        raise SampleSkipped(f"parquet: the footer claims {length} bytes, more than the object holds ({size})")
    if length > reader.room:
        raise SampleSkipped(f"parquet: the footer ({length} bytes) is over max_object_bytes "
                            f"({limits.max_object_bytes})")
    data_end = size - 8 - length
    return reader.read(data_end, length) + tail, data_end


def _metadata(footer: bytes) -> pq.ParquetFile:
    """The footer parsed alone (a file of the magic and the footer: no column data)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(io.BytesIO(MAGIC + footer))


def _chunk_range(column: Any, data_end: int) -> tuple[int, int]:
    """Where a column chunk's pages are, as pyarrow will read them; outside the column data
    (between the leading magic and the footer) the footer is lying and the file is refused."""
    start = int(column.data_page_offset)
    if column.has_dictionary_page and column.dictionary_page_offset:
        start = min(start, int(column.dictionary_page_offset))
    length = int(column.total_compressed_size)
    if start < len(MAGIC) or length <= 0 or start + length > data_end:
        raise SampleSkipped("parquet: the footer places column data outside the object")
    return start, length


def plan_fetch(metadata: pq.FileMetaData, selection: Selection, limits: Limits, *, room: int,
               data_end: int, missing: Callable[[int, int], int] | None = None) -> FetchPlan:
    """The leading row groups whose chosen chunks fit ``room`` bytes; when not even the first
    does, the most leading columns of it that fit. Raises ``SampleSkipped`` when nothing fits.

    ``missing(start, length)``: how many bytes of a range are still to be fetched (what the
    reader holds already costs nothing); without it every byte of a chunk is priced."""
    cost = missing or _length
    plan = _groups_within(metadata, selection, limits, room, data_end, cost)
    if plan.groups or selection.columns is None or len(selection.counts) <= 1:
        if not plan.groups and metadata.num_row_groups and metadata.num_rows:
            raise SampleSkipped(f"parquet: the first row group's column data is over max_object_bytes "
                                f"({limits.max_object_bytes})")
        return plan
    columns = selection.columns
    for count in range(len(columns) - 1, 0, -1):  # leaves per column are few: a linear walk is cheap
        leaves = sum(selection.counts[:count])
        fewer = Selection(columns[:count], selection.counts[:count], selection.leaves[:leaves],
                          selection.row_caps[:leaves], [n for n in selection.text_columns if n in columns[:count]])
        plan = _groups_within(metadata, fewer, limits, room, data_end, cost)
        if plan.groups:
            return plan
    raise SampleSkipped(f"parquet: the first row group's first column is over max_object_bytes "
                        f"({limits.max_object_bytes})")


def _length(_start: int, length: int) -> int:
    return length


def _groups_within(metadata: pq.FileMetaData, selection: Selection, limits: Limits, room: int,
                   data_end: int, missing: Callable[[int, int], int]) -> FetchPlan:
    wanted = min(limits.max_rows, metadata.num_rows)
    ranges: list[tuple[int, int]] = []
    groups = rows = 0
    cut = False
    for index in range(metadata.num_row_groups):
        if rows >= wanted:
            break
        group = metadata.row_group(index)
        chunks = _merged([_chunk_range(group.column(leaf), data_end) for leaf in selection.leaves])
        cost = sum(missing(start, length) for start, length in chunks)
        if cost > room:
            cut = True
            break
        room -= cost
        ranges.extend(chunks)
        groups += 1
        rows += max(0, group.num_rows)
    return FetchPlan(selection, groups, rows, _merged(ranges), cut)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges sorted, overlapping or adjacent ones joined (one request each)."""
    out: list[tuple[int, int]] = []
    for start, length in sorted(ranges):
        if out and start <= out[-1][0] + out[-1][1]:
            last_start, last_length = out[-1]
            out[-1] = (last_start, max(last_length, start + length - last_start))
        else:
            out.append((start, length))
    return out
