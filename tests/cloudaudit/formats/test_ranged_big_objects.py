"""Parquet and XLSX over ``max_object_bytes``, range-read: what is fetched, what is found.

A ``CountingSource`` stands for the object store and records every range read: the bytes
fetched must stay within ``max_object_bytes`` (footer or zip directory included), no byte may
be fetched twice, and the rows sampled must hold the planted PII (Faker, python-stdnum).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import RANGED_HEAD_BYTES, ranged_format
from cloudaudit.formats.ranged import OverBudget, RangeFile, RangeReader
from cloudaudit.model import FieldResult, PiiType
from cloudaudit.sampling import analyse_ranges
from tests.cloudaudit.formats.bigfactory import (
    EXPECTED,
    CountingSource,
    big_parquet,
    big_xlsx_inline,
    big_xlsx_shared,
    people,
)

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def crowd() -> Any:
    return people()


def _sample(fmt: str, data: bytes, limits: Limits, *, head: int = 0) -> tuple[Any, tuple[FieldResult, ...],
                                                                              CountingSource, RangeReader]:
    source = CountingSource(data)
    reader = RangeReader(source, limits.max_object_bytes)
    if head:  # as a collector does for an object whose name says nothing: the head first
        assert ranged_format("dump-0001", reader.read(0, head)) == fmt
    sample, fields = analyse_ranges(fmt, reader, country="JP", limits=limits)
    return sample, fields, source, reader


def _pii(fields: tuple[FieldResult, ...], prefix: str = "") -> dict[str, set[PiiType]]:
    return {f.field.removeprefix(prefix): set(f.pii_types) for f in fields if f.pii}


def _assert_bounded(source: CountingSource, reader: RangeReader, limits: Limits) -> None:
    assert source.fetched == reader.bytes_read <= limits.max_object_bytes
    assert source.refetched() == 0, "a byte was fetched twice"


# ---- Parquet -------------------------------------------------------------------------------


def test_big_parquet_reads_its_footer_and_only_the_leading_row_groups(crowd: Any) -> None:
    import pyarrow.parquet as pq

    data = big_parquet(crowd, 24_000, row_group_size=2_000)
    limits = Limits()
    assert len(data) > 5 * limits.max_object_bytes

    sample, fields, source, reader = _sample("parquet", data, limits)

    _assert_bounded(source, reader, limits)
    assert (sample.rows, sample.partial) == (limits.max_rows, "")
    assert _pii(fields) == {name: {pii} for name, pii in EXPECTED.items()}
    # What was fetched: the footer and the first row group's column chunks, nothing after them.
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    second_group = min(metadata.row_group(1).column(i).data_page_offset for i in range(metadata.num_columns))
    footer_start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    assert all(start + length <= second_group or start >= footer_start for start, length in source.reads)
    assert any(start == footer_start for start, _ in source.reads)
    assert source.fetched < len(data) / 10


def test_big_parquet_head_read_first_is_not_fetched_again(crowd: Any) -> None:
    data = big_parquet(crowd, 24_000, row_group_size=2_000)
    limits = Limits()

    sample, fields, source, reader = _sample("parquet", data, limits, head=RANGED_HEAD_BYTES)

    _assert_bounded(source, reader, limits)
    assert source.reads[0] == (0, RANGED_HEAD_BYTES)
    assert sample.rows == limits.max_rows and _pii(fields)["email"] == {PiiType.EMAIL_ADDRESS}


def test_row_groups_past_the_budget_leave_the_sample_partial(crowd: Any) -> None:
    # Row groups of 100 rows and ~2 KB of filler a row: about four fit 1 MiB, five would be needed.
    data = big_parquet(crowd, 3_000, row_group_size=100, filler=4_096, compression="none")
    limits = Limits()

    sample, fields, source, reader = _sample("parquet", data, limits)

    _assert_bounded(source, reader, limits)
    match = re.fullmatch(r"parquet: (\d+) of 30 row groups within max_object_bytes after (\d+) rows", sample.partial)
    assert match, sample.partial
    groups, rows = map(int, match.groups())
    assert 0 < groups < 5 and rows == sample.rows == groups * 100
    assert _pii(fields) == {name: {pii} for name, pii in EXPECTED.items()}


def test_a_first_row_group_over_the_budget_is_read_by_the_columns_that_fit(crowd: Any) -> None:
    # One row group: the filler column alone is ~5 MB, the customer columns fit 1 MiB.
    data = big_parquet(crowd, 20_000, row_group_size=20_000, filler=256)
    limits = Limits()

    sample, fields, source, reader = _sample("parquet", data, limits)

    _assert_bounded(source, reader, limits)
    assert sample.partial == "parquet: 6 of 7 columns within max_object_bytes"
    assert sample.rows == limits.max_rows
    assert "notes" not in sample.fields
    assert _pii(fields) == {name: {pii} for name, pii in EXPECTED.items()}


def test_one_large_leading_column_does_not_cost_the_columns_after_it(crowd: Any) -> None:
    import pyarrow.parquet as pq

    # One row group of 170,000 rows: the leading id column's chunk takes most of 1 MiB, and the
    # PII columns after it (dictionary-encoded, ~25 KB each) do not all fit beside it.
    data = big_parquet(crowd, 170_000, row_group_size=170_000, filler=16)
    group = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0)
    sizes = {group.column(i).path_in_schema: group.column(i).total_compressed_size for i in range(7)}
    limits = Limits()
    assert sizes["customer_id"] + sum(sizes[name] for name in EXPECTED) > limits.max_object_bytes
    assert sizes["notes"] > limits.max_object_bytes

    sample, fields, source, reader = _sample("parquet", data, limits)

    _assert_bounded(source, reader, limits)
    assert sample.partial == "parquet: 5 of 7 columns within max_object_bytes"
    assert sample.rows == limits.max_rows
    assert set(sample.fields) == set(EXPECTED)  # the id and the filler were the columns left out
    assert _pii(fields) == {name: {pii} for name, pii in EXPECTED.items()}


def test_no_column_within_the_budget_is_skipped_with_the_reason(crowd: Any) -> None:
    data = big_parquet(crowd, 20_000, row_group_size=20_000, filler=256)
    footer = int.from_bytes(data[-8:-4], "little")
    limits = Limits(max_object_bytes=footer + 8 + 1024)  # the footer, and less than any column chunk

    with pytest.raises(SampleSkipped, match="each column of the first row group is over max_object_bytes"):
        _sample("parquet", data, limits)


def _with_footer(data: bytes, footer: bytes, claimed: int | None = None) -> bytes:
    length = len(footer) if claimed is None else claimed
    return data + footer + length.to_bytes(4, "little") + b"PAR1"


@pytest.mark.parametrize(("footer", "claimed", "reason"), [
    (b"\x15\x00" * 500, None, "parquet: corrupt or unreadable"),  # thrift that is not a FileMetaData
    (b"", 2 * MIB, "parquet: the footer claims 2097152 bytes, more than the object holds"),
    (b"\x00" * (1100 * 1024), None, "parquet: the footer (1126400 bytes) is over max_object_bytes"),
])
def test_a_corrupt_or_oversized_footer_is_refused_with_a_clear_reason(footer: bytes, claimed: int | None,
                                                                      reason: str) -> None:
    data = _with_footer(b"PAR1" + bytes(1536 * 1024), footer, claimed)
    limits = Limits()
    source = CountingSource(data)
    reader = RangeReader(source, limits.max_object_bytes)

    with pytest.raises(SampleSkipped) as caught:
        analyse_ranges("parquet", reader, country="JP", limits=limits)

    assert str(caught.value).startswith(reason)
    _assert_bounded(source, reader, limits)
    if "over max_object_bytes" in reason or "claims" in reason:
        assert source.reads == [(len(data) - 8, 8)]  # the length was read, the footer was not fetched


def test_a_tail_without_the_magic_is_corrupt_after_eight_bytes() -> None:
    source = CountingSource(b"PAR1" + bytes(2 * MIB))
    reader = RangeReader(source, MIB)

    with pytest.raises(SampleSkipped, match="parquet: corrupt or unreadable"):
        analyse_ranges("parquet", reader, country="JP", limits=Limits())

    assert source.reads == [(2 * MIB + 4 - 8, 8)]


# ---- XLSX ----------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [big_xlsx_inline, big_xlsx_shared])
def test_big_xlsx_reads_its_directory_and_the_sheet_to_the_rows_needed(crowd: Any, make: Any) -> None:
    data = make(crowd, 16_000)
    limits = Limits()
    assert len(data) > 2 * limits.max_object_bytes

    sample, fields, source, reader = _sample("xlsx", data, limits)

    _assert_bounded(source, reader, limits)
    assert (sample.rows, sample.partial) == (limits.max_rows, "")
    assert _pii(fields, "customers!") == {name: {pii} for name, pii in EXPECTED.items()}
    assert source.fetched < len(data) / 10
    # The zip directory at the end was read, and so was the sheet's start.
    assert any(start + length == len(data) for start, length in source.reads)


@pytest.mark.parametrize("make", [big_xlsx_inline, big_xlsx_shared])
def test_big_xlsx_head_read_first_is_not_fetched_again(crowd: Any, make: Any) -> None:
    data = make(crowd, 16_000)
    limits = Limits()

    sample, fields, source, reader = _sample("xlsx", data, limits, head=RANGED_HEAD_BYTES)

    _assert_bounded(source, reader, limits)
    assert sample.rows == limits.max_rows and _pii(fields, "customers!")["my_number"] == {PiiType.NATIONAL_ID}


@pytest.mark.parametrize(("make", "part"), [(big_xlsx_inline, "sheet"), (big_xlsx_shared, "shared strings")])
def test_a_sheet_read_to_the_budget_is_partial_with_the_rows_it_holds(crowd: Any, make: Any, part: str) -> None:
    data = make(crowd, 16_000)
    limits = Limits(max_object_bytes=96 * 1024)

    sample, fields, source, reader = _sample("xlsx", data, limits)

    _assert_bounded(source, reader, limits)
    assert sample.partial.startswith(f"xlsx: {part} over max_object_bytes after "), sample.partial
    assert 0 < sample.rows < limits.max_rows
    assert _pii(fields, "customers!")["email"] == {PiiType.EMAIL_ADDRESS}
    assert reader.bytes_read > limits.max_object_bytes - 8192  # read to the budget, not short of it


def test_a_zip_directory_over_the_budget_is_skipped_with_the_reason(crowd: Any) -> None:
    data = big_xlsx_shared(crowd, 2_000)
    limits = Limits(max_object_bytes=200)  # the end record fits, the central directory does not

    with pytest.raises(SampleSkipped, match=r"xlsx: the zip directory and workbook parts are over max_object_bytes"):
        _sample("xlsx", data, limits)


# ---- the reader itself -----------------------------------------------------------------------


class _Zeros(CountingSource):
    def __init__(self, size: int) -> None:
        super().__init__(bytes(size))


def test_read_ahead_stops_at_bytes_already_held() -> None:
    source = _Zeros(1000)
    reader = RangeReader(source, 1000)
    reader.read(100, 100)
    file = RangeFile(reader, fetch=True, read_ahead=512)

    file.seek(90)
    assert file.read(20) == bytes(20)  # 10 bytes missing, 10 held: only the 10 are fetched
    file.seek(150)
    assert file.read(100) == bytes(100)  # from the held segment's end on, read ahead 512

    assert source.reads == [(100, 100), (90, 10), (200, 512)]
    assert source.refetched() == 0


def test_a_read_over_the_budget_is_refused_before_any_request() -> None:
    source = _Zeros(10_000)
    reader = RangeReader(source, 1000)
    reader.read(0, 600)

    with pytest.raises(OverBudget):
        reader.read(5000, 401)
    file = RangeFile(reader, fetch=True, read_ahead=4096)
    file.seek(700)
    assert len(file.read(10)) == 10  # the read-ahead shrinks to what the budget leaves

    assert source.reads == [(0, 600), (700, 400)]
    assert reader.bytes_read == reader.budget == 1000
