"""Parquet (pyarrow): read only the leading rows and columns the limits allow.

Nested struct columns become dot paths and list items ``[]``, as in JSON. The bounds hold
inside the file, whatever its footer claims:

- before a row group is decoded, the page headers of the chosen column chunks give the bytes
  they really inflate to (``parquet_pages``), not the footer's claims; only as many rows are
  taken as their whole pages fit in what is left of ``max_decompressed_bytes``;
- rows are decoded in small batches (sized so that even rows as large as a whole page stay
  within the budget), and the decoded bytes of each batch are measured: once they pass the
  budget (a dictionary page of one long string repeated on every row), the read stops.

A read stopped by the budget before ``max_rows`` carries a reason (the sample is PARTIAL);
nothing at all within the budget is ``SampleSkipped``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.flatten import flatten_record
from cloudaudit.formats.parquet_pages import ChunkSizes, PageHeaderError, chunk_sizes
from cloudaudit.formats.values import FieldTable

if TYPE_CHECKING:
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

    table: FieldTable | None = None
    plan: ReadPlan | None = None
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        columns, leaves = _leading_columns(parquet.schema_arrow, limits.max_fields, parquet.metadata.num_columns)
        plan = plan_read(data, parquet.metadata, leaves, limits)
        table = FieldTable(limits, truncated=plan.rows < parquet.metadata.num_rows)
        if plan.rows:
            _read_rows(parquet, plan, columns, table)
        if plan.cut:
            table.stop(f"{OVER_BUDGET} after {table.rows} rows")
    except Exception:  # pyarrow raises ArrowInvalid, OSError and more; their messages quote data
        table = None
    if table is None:  # raised outside the handler: no chained pyarrow error
        raise SampleSkipped("parquet: corrupt or unreadable")
    if not table.rows and plan is not None and plan.cut:
        raise SampleSkipped(OVER_BUDGET)  # not one row fits: say so, never "no PII"
    return table


def _leading_columns(schema: pa.Schema, max_fields: int, num_leaves: int) -> tuple[list[str] | None, list[int]]:
    """Top-level columns, in order, until they hold ``max_fields`` leaves (None: all of them),
    and the indices of the Parquet leaf columns (column chunks) they are stored in."""
    names = schema.names
    counts = [_leaf_count(arrow_field.type) for arrow_field in schema]
    every_leaf = list(range(num_leaves))
    if len(set(names)) != len(names):
        return None, every_leaf  # duplicate names cannot be selected by name
    chosen: list[str] = []
    leaves = 0
    for arrow_field, count in zip(schema, counts, strict=True):
        if leaves >= max_fields:
            break
        chosen.append(arrow_field.name)
        leaves += count
    chunks = every_leaf[:leaves] if sum(counts) == num_leaves else every_leaf  # unsure: count them all
    return chosen, chunks


def _leaf_count(arrow_type: pa.DataType) -> int:
    import pyarrow as pa

    if pa.types.is_struct(arrow_type):
        return sum(_leaf_count(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return _leaf_count(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return _leaf_count(arrow_type.key_type) + _leaf_count(arrow_type.item_type)
    return 1


def plan_read(data: bytes, metadata: pq.FileMetaData, leaves: list[int], limits: Limits) -> ReadPlan:
    """The leading row groups and rows whose pages fit ``max_decompressed_bytes``.

    Each chunk is priced by its page headers (``parquet_pages``): its dictionary page and the
    data pages, whole, that hold the rows taken. The footer's ``total_uncompressed_size`` and
    ``total_byte_size`` are claims and are not used.
    """
    budget = float(limits.max_decompressed_bytes)
    wanted = min(limits.max_rows, metadata.num_rows)
    groups: list[int] = []
    rows = 0
    widest_row = 1  # bytes one row can decode to: a whole page (or dictionary) per column
    for index in range(metadata.num_row_groups):
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
        widest_row = max(widest_row, sum(max(size.largest_page, size.dictionary) for size in sizes))
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


def _chunk_sizes(data: bytes, column: Any, budget: int) -> ChunkSizes:
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
    budget = table.limits.max_decompressed_bytes
    decoded = 0
    batches = parquet.iter_batches(batch_size=min(plan.rows, plan.batch_rows), row_groups=plan.groups,
                                   columns=columns, use_threads=False)
    for batch in batches:
        batch = _dense(batch)  # a dictionary column repeats its values on every row, as to_pylist will
        decoded += batch.get_total_buffer_size()
        if decoded > budget:  # values inflate past what the pages held (dictionary expansion)
            table.stop(f"{OVER_BUDGET} (decoded values) after {table.rows} rows")
            return
        records: list[dict[str, Any]] = batch.slice(0, plan.rows - table.rows).to_pylist()
        del batch
        for record in records:
            flatten_record(table, record, data_keys=False)
            table.rows += 1
        if table.rows >= plan.rows:
            return


def _dense(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with dictionary columns decoded, so its size is what its values really take."""
    import pyarrow as pa

    if not any(pa.types.is_dictionary(column.type) for column in batch.columns):
        return batch
    arrays = [column.dictionary_decode() if pa.types.is_dictionary(column.type) else column
              for column in batch.columns]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
