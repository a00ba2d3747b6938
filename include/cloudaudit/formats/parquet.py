"""Parquet (pyarrow): read only the leading rows and columns the limits allow.

Nested struct columns become dot paths and list items ``[]``, as in JSON. The bounds hold
inside the file, whatever its footer claims:

- before a row group is decoded, the page headers of the chosen column chunks give the bytes
  they really inflate to (``parquet_pages``), not the footer's claims; only as many rows are
  taken as their whole pages fit in what is left of ``max_decompressed_bytes``;
- top-level string and binary columns are read as dictionaries, and strings are cut to
  ``max_cell_chars`` before a dictionary is expanded, so a long string repeated on every row
  costs its page once; rows are decoded in batches sized so that even rows as large as a
  whole page (nested columns) stay within the budget, and the decoded bytes are counted:
  once past the budget, the read stops.

A read stopped by the budget before ``max_rows`` carries a reason (the sample is PARTIAL);
nothing at all within the budget is ``SampleSkipped``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.cutshort import cut_short
from cloudaudit.formats.flatten import flatten_record
from cloudaudit.formats.parquet_pages import ChunkSizes, PageBytes, PageHeaderError, chunk_sizes
from cloudaudit.formats.values import FieldTable

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow as pa
    import pyarrow.parquet as pq

OVER_BUDGET = "parquet: over the decompressed size limit"
_MAX_BATCH_ROWS = 1024


@dataclass(frozen=True)
class ReadPlan:
    """Which row groups to decode, how many rows, and in batches of how many rows."""

    groups: list[int]
    rows: int
    batch_rows: int
    cut: bool  # the byte budget, not max_rows or the file's end, set ``rows``


class _Corrupt(Exception):
    """Raised inside the reader; becomes a value-free SampleSkipped outside the handler."""


def parse_parquet(data: bytes, *, limits: Limits) -> FieldTable:
    """The first ``max_rows`` rows of a whole Parquet file, within ``max_decompressed_bytes``."""
    import pyarrow.parquet as pq

    def open_file(dictionary: list[str] | None) -> pq.ParquetFile:
        return pq.ParquetFile(io.BytesIO(data), read_dictionary=dictionary)

    return read_parquet(data, open_file, limits=limits)


def read_parquet(data: PageBytes, open_file: Callable[[list[str] | None], pq.ParquetFile], *, limits: Limits,
                 chosen: Selection | None = None, groups: int | None = None) -> FieldTable:
    """``parse_parquet`` over any file: ``open_file(read_dictionary)`` opens it, ``data`` holds
    (at least) the bytes of the column chunks read, for their page headers. ``chosen``: these
    columns rather than the leading ones; ``groups``: only the first row groups (the ones a
    range read fetched, ``parquet_ranged``)."""
    table: FieldTable | None = None
    plan: ReadPlan | None = None
    try:
        parquet = open_file(None)
        selection = chosen or leading_columns(parquet.schema_arrow, limits, parquet.metadata.num_columns)
        if selection.text_columns:  # read as dictionaries: values are expanded here, cut first
            parquet = open_file(selection.text_columns)
        plan = plan_read(data, parquet.metadata, selection.leaves, limits, selection.row_caps, first_groups=groups)
        every = len(selection.columns or ())
        if not plan.rows and plan.cut and len(selection.counts) > 1:  # not one row of each column fits
            selection, plan = _fewer_columns(data, parquet.metadata, selection, limits, groups)
        table = FieldTable(limits, truncated=plan.rows < parquet.metadata.num_rows)
        if plan.rows:
            _read_rows(parquet, plan, selection.columns, table)
        if len(selection.columns or ()) < every:
            cut_short(table, f"{OVER_BUDGET}: {len(selection.columns or ())} of {every} columns read")
        if plan.cut:
            cut_short(table, f"{OVER_BUDGET} after {table.rows} rows")
    except Exception:  # pyarrow raises ArrowInvalid, OSError and more; their messages quote data
        table = None
    if table is None:  # raised outside the handler: no chained pyarrow error
        raise SampleSkipped("parquet: corrupt or unreadable")
    if not table.rows and plan is not None and plan.cut:
        raise SampleSkipped(OVER_BUDGET)  # not one row fits: say so, never "no PII"
    return table


@dataclass(frozen=True)
class Selection:
    """The columns read, their leaf column chunks, and what one row of each leaf can decode to."""

    columns: list[str] | None  # None: all (duplicate names cannot be selected by name)
    counts: list[int]  # leaves of each column
    leaves: list[int]
    row_caps: list[int | None]  # per leaf: bytes per row at most, None: up to a whole page
    text_columns: list[str]  # top-level strings and bytes, read as dictionaries


def leading_columns(schema: pa.Schema, limits: Limits, num_leaves: int) -> Selection:
    """Top-level columns, in order, until they hold ``max_fields`` leaves."""
    names = schema.names
    counts = [_leaf_count(arrow_field.type) for arrow_field in schema]
    if len(set(names)) != len(names):  # duplicate names cannot be selected by name: read all
        return Selection(None, [], list(range(num_leaves)), [None] * num_leaves, [])
    if sum(counts) != num_leaves:  # unsure which chunk is whose: price every chunk, as a page
        leading = leading_columns(schema, limits, sum(counts))
        return Selection(leading.columns, [], list(range(num_leaves)), [None] * num_leaves, leading.text_columns)
    chosen: list[str] = []
    chosen_counts: list[int] = []
    caps: list[int | None] = []
    text: list[str] = []
    for arrow_field, count in zip(schema, counts, strict=True):
        if len(caps) >= limits.max_fields:
            break
        chosen.append(arrow_field.name)
        chosen_counts.append(count)
        cap = _row_cap(arrow_field.type)
        caps.extend([cap] * count)
        if _is_text(arrow_field.type):
            text.append(arrow_field.name)
    return Selection(chosen, chosen_counts, list(range(len(caps))), caps, text)


def _fewer_columns(data: PageBytes, metadata: pq.FileMetaData, selection: Selection,
                   limits: Limits, groups: int | None) -> tuple[Selection, ReadPlan]:
    """The most leading columns of which at least one row fits the budget (bisection), and
    the plan to read them; no column fits: the plan reads nothing."""
    columns = selection.columns or []

    def first(count: int) -> tuple[Selection, ReadPlan]:
        leaves = sum(selection.counts[:count])
        chosen = Selection(columns[:count], selection.counts[:count], selection.leaves[:leaves],
                           selection.row_caps[:leaves], [name for name in selection.text_columns
                                                         if name in columns[:count]])
        return chosen, plan_read(data, metadata, chosen.leaves, limits, chosen.row_caps, first_groups=groups)

    low, high = 0, len(columns) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if first(middle)[1].rows:
            low = middle
        else:
            high = middle - 1
    if not low:
        return selection, ReadPlan([], 0, 1, cut=True)
    return first(low)


def _is_text(arrow_type: pa.DataType) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
                or pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type))


def _row_cap(arrow_type: pa.DataType) -> int | None:
    """Bytes one row of a top-level column decodes to at most, when that is known up front.

    Strings and bytes arrive as dictionary indices (the dictionary itself is a page already
    priced); what expanding them takes is measured before it is done, in ``_dense``. Fixed-width
    values are what they are. Nested columns: None (a row can be as large as a page, or repeat
    a dictionary entry many times).
    """
    import pyarrow as pa

    value_type = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    if _is_text(value_type) or pa.types.is_primitive(value_type) or pa.types.is_decimal(value_type):
        return 64
    return None


def _leaf_count(arrow_type: pa.DataType) -> int:
    import pyarrow as pa

    if pa.types.is_struct(arrow_type):
        return sum(_leaf_count(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return _leaf_count(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return _leaf_count(arrow_type.key_type) + _leaf_count(arrow_type.item_type)
    return 1


def plan_read(data: PageBytes, metadata: pq.FileMetaData, leaves: list[int], limits: Limits,
              row_caps: list[int | None] | None = None, *, first_groups: int | None = None) -> ReadPlan:
    """The leading row groups and rows whose pages fit ``max_decompressed_bytes``.

    Each chunk is priced by its page headers (``parquet_pages``): its dictionary page and the
    data pages, whole, that hold the rows taken. The footer's ``total_uncompressed_size`` and
    ``total_byte_size`` are claims and are not used.
    """
    budget = float(limits.max_decompressed_bytes)
    wanted = min(limits.max_rows, metadata.num_rows)
    groups: list[int] = []
    rows = 0
    caps = row_caps or [None] * len(leaves)
    widest_row = 1  # bytes one row can decode to: its cap, else a whole page (or dictionary) per leaf
    count = metadata.num_row_groups if first_groups is None else min(first_groups, metadata.num_row_groups)
    for index in range(count):
        if rows >= wanted:
            break
        group = metadata.row_group(index)
        if group.num_rows <= 0:
            continue
        sizes = [_chunk_sizes(data, group.column(leaf), int(budget)) for leaf in leaves]
        want = min(group.num_rows, wanted - rows)
        take = _rows_within(sizes, want, budget)
        if take <= 0:
            return ReadPlan(groups, rows, _batch_rows(limits.max_decompressed_bytes, widest_row), cut=True)
        groups.append(index)
        rows += take
        budget -= sum(size.bytes_for(take) for size in sizes)
        widest_row = max(widest_row, sum(max(size.largest_page, size.dictionary) if cap is None else cap
                                         for size, cap in zip(sizes, caps, strict=True)))
        if take < want:
            return ReadPlan(groups, rows, _batch_rows(limits.max_decompressed_bytes, widest_row), cut=True)
    return ReadPlan(groups, rows, _batch_rows(limits.max_decompressed_bytes, widest_row), cut=False)


def _rows_within(sizes: list[ChunkSizes], want: int, budget: float) -> int:
    """The most rows, up to ``want``, whose pages over all chunks fit ``budget`` (bisection:
    the bytes needed only grow with the rows)."""
    low, high = 0, want
    while low < high:
        middle = (low + high + 1) // 2
        if sum(size.bytes_for(middle) for size in sizes) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def _chunk_sizes(data: PageBytes, column: Any, budget: int) -> ChunkSizes:
    offsets = [column.data_page_offset]
    if column.has_dictionary_page and column.dictionary_page_offset:
        offsets.append(column.dictionary_page_offset)
    try:
        return chunk_sizes(data, min(offsets), column.total_compressed_size, stop_after=budget)
    except PageHeaderError:
        raise _Corrupt from None


def _batch_rows(budget: int, widest_row: int) -> int:
    """Rows per batch such that a batch of the widest possible rows still fits the budget."""
    return max(1, min(_MAX_BATCH_ROWS, budget // max(widest_row, 1)))


def _read_rows(parquet: pq.ParquetFile, plan: ReadPlan, columns: list[str] | None, table: FieldTable) -> None:
    """Decode the planned rows batch by batch, measuring what each batch really takes."""
    limits = table.limits
    decoded = 0
    batches = parquet.iter_batches(batch_size=min(plan.rows, plan.batch_rows), row_groups=plan.groups,
                                   columns=columns, use_threads=False)
    for batch in batches:
        dense = _dense(batch, limits.max_cell_chars, limits.max_decompressed_bytes - decoded)
        if dense is not None:
            decoded += dense.get_total_buffer_size()
        if dense is None or decoded > limits.max_decompressed_bytes:  # values inflate past the pages
            cut_short(table, f"{OVER_BUDGET} (decoded values) after {table.rows} rows")
            return
        records: list[dict[str, Any]] = dense.slice(0, plan.rows - table.rows).to_pylist()
        del batch, dense
        for record in records:
            flatten_record(table, record, data_keys=False)
            table.rows += 1
        if table.rows >= plan.rows:
            return


def _dense(batch: pa.RecordBatch, max_chars: int, room: int) -> pa.RecordBatch | None:
    """The batch with dictionary columns expanded (strings cut to ``max_chars`` first), or
    None when expanding them would take more than ``room`` bytes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            dictionary = column.dictionary
            if pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type):
                dictionary = pc.utf8_slice_codeunits(dictionary, 0, max_chars)
            if _is_text(dictionary.type):
                lengths = pc.take(pc.binary_length(dictionary), column.indices)
                room -= pc.sum(lengths).as_py() or 0
                if room < 0:
                    return None
            column = pa.DictionaryArray.from_arrays(column.indices, dictionary).dictionary_decode()
        elif _has_dictionary(column.type):  # nested: expand inside arrow, then it is measured
            column = column.cast(_plain(column.type))
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _has_dictionary(arrow_type: pa.DataType) -> bool:
    import pyarrow as pa

    return pa.types.is_dictionary(arrow_type) or any(
        _has_dictionary(arrow_type.field(i).type) for i in range(getattr(arrow_type, "num_fields", 0)))


def _plain(arrow_type: pa.DataType) -> pa.DataType:
    """``arrow_type`` with every dictionary replaced by its value type."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return _plain(arrow_type.value_type)
    if pa.types.is_struct(arrow_type):
        return pa.struct([arrow_type.field(i).with_type(_plain(arrow_type.field(i).type))
                          for i in range(arrow_type.num_fields)])
    if pa.types.is_list(arrow_type):
        return pa.list_(arrow_type.value_field.with_type(_plain(arrow_type.value_type)))
    if pa.types.is_large_list(arrow_type):
        return pa.large_list(arrow_type.value_field.with_type(_plain(arrow_type.value_type)))
    return arrow_type
