"""Parquet (pyarrow): read only the leading rows and columns the limits allow.

Nested struct columns become dot paths and list items ``[]``, as in JSON. Only the row
groups that hold the first ``max_rows`` rows are decoded, in batches, so a file whose pages
inflate far beyond its size is cut at ``max_decompressed_bytes`` by the footer's own sizes.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.flatten import flatten_record
from cloudaudit.formats.values import FieldTable

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq


def parse_parquet(data: bytes, *, limits: Limits) -> FieldTable:
    """The first ``max_rows`` rows of a whole Parquet file."""
    import pyarrow.parquet as pq

    table: FieldTable | None = None
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        columns = _leading_columns(parquet.schema_arrow, limits.max_fields)
        groups, rows = _row_groups_within_budget(parquet, limits)
        table = FieldTable(limits, truncated=rows < parquet.metadata.num_rows)
        if rows:
            _read_rows(parquet, groups, columns, rows, table)
    except Exception:  # pyarrow raises ArrowInvalid, OSError and more; their messages quote data
        table = None
    if table is None:  # raised outside the handler: no chained pyarrow error
        raise SampleSkipped("parquet: corrupt or unreadable")
    return table


def _leading_columns(schema: pa.Schema, max_fields: int) -> list[str] | None:
    """Top-level columns, in order, until they hold ``max_fields`` leaves (None: all of them)."""
    names = schema.names
    if len(set(names)) != len(names):
        return None  # duplicate names cannot be selected by name
    chosen: list[str] = []
    leaves = 0
    for arrow_field in schema:
        if leaves >= max_fields:
            break
        chosen.append(arrow_field.name)
        leaves += _leaf_count(arrow_field.type)
    return chosen


def _leaf_count(arrow_type: pa.DataType) -> int:
    import pyarrow as pa

    if pa.types.is_struct(arrow_type):
        return sum(_leaf_count(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return _leaf_count(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return _leaf_count(arrow_type.key_type) + _leaf_count(arrow_type.item_type)
    return 1


def _row_groups_within_budget(parquet: pq.ParquetFile, limits: Limits) -> tuple[list[int], int]:
    """The leading row groups to decode and how many of their rows fit ``max_rows`` and, by the
    footer's uncompressed sizes, ``max_decompressed_bytes``."""
    metadata = parquet.metadata
    wanted = min(limits.max_rows, metadata.num_rows)
    groups: list[int] = []
    rows = 0
    budget = float(limits.max_decompressed_bytes)
    for index in range(metadata.num_row_groups):
        if rows >= wanted:
            break
        group = metadata.row_group(index)
        if group.num_rows <= 0:
            continue
        bytes_per_row = max(group.total_byte_size, 1) / group.num_rows
        take = min(group.num_rows, wanted - rows, int(budget // bytes_per_row))
        if take <= 0:
            break
        groups.append(index)
        rows += take
        budget -= take * bytes_per_row
    return groups, rows


def _read_rows(parquet: pq.ParquetFile, groups: list[int], columns: list[str] | None, rows: int,
               table: FieldTable) -> None:
    batches = parquet.iter_batches(batch_size=min(rows, 1024), row_groups=groups, columns=columns,
                                   use_threads=False)
    for batch in batches:
        records: list[dict[str, Any]] = batch.slice(0, rows - table.rows).to_pylist()
        for record in records:
            flatten_record(table, record, data_keys=False)
            table.rows += 1
        if table.rows >= rows:
            return
