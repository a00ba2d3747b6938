"""Bombs of every sampled format: small objects that inflate to hundreds of MB or GB.

Each is parsed in a child process whose peak RSS (and, for Parquet, Arrow's peak allocation)
is measured there: the bound that matters is memory and work done, never wall-clock time.
What a bound cut short is PARTIAL with a reason (``Sample.partial``) or ``SampleSkipped``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from itertools import chain
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import parse_sample
from cloudaudit.formats.parquet_pages import chunk_sizes
from cloudaudit.formats.xlsx import xlsx_bounds
from cloudaudit.formats.xlsx_stream import read_workbook
from tests.cloudaudit.formats.bombfactory import (
    gzip_stream,
    parquet_dictionary_bomb,
    parquet_lying_footer,
    xlsx,
)
from tests.cloudaudit.formats.formatfactory import customers

PEAK_RSS_MB = 400  # the extract task's bound (issue 12), for the whole child process
LIMITS = Limits()
MIB = 1_048_576

_CHILD = """
import json, sys
from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import parse_sample

name, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as handle:
    data = handle.read()
result = {}
try:
    sample = parse_sample(name, data, limits=Limits())
    values = [value for column in sample.fields.values() for value in column]
    result = {"rows": sample.rows, "fields": len(sample.fields), "values": len(values),
              "longest": max((len(v) for v in values if v), default=0), "truncated": sample.truncated,
              "reason": sample.partial}
except SampleSkipped as exc:
    result = {"skipped": str(exc)}
if "pyarrow" in sys.modules:
    result["arrow_peak_mb"] = sys.modules["pyarrow"].default_memory_pool().max_memory() / 1048576
# VmHWM: this process's own peak (ru_maxrss keeps the forking parent's across exec).
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
result["peak_rss_mb"] = peak_kb / 1024
print(json.dumps(result))
"""


def _parse_in_child(tmp_path: Path, name: str, data: bytes) -> dict[str, Any]:
    path = tmp_path / "object.bin"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _CHILD, name, str(path)], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["peak_rss_mb"] < PEAK_RSS_MB, result
    return result


def _assert_within_bounds(result: dict[str, Any]) -> None:
    assert result["rows"] <= LIMITS.max_rows
    assert result["fields"] <= LIMITS.max_fields
    assert result["longest"] <= LIMITS.max_cell_chars
    assert result["values"] <= LIMITS.max_rows * LIMITS.max_fields


# ---- Parquet -----------------------------------------------------------------------------


def test_parquet_whose_footer_lies_about_sizes_reads_only_what_its_pages_fit(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    data = parquet_lying_footer(rows=1000, value_bytes=MIB, per_group=50, claim=1000)
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    assert len(data) < 200_000  # about 1 GB of values
    assert metadata.row_group(0).total_byte_size == 1000  # the lie is in place
    assert metadata.row_group(0).column(0).total_uncompressed_size == 1000
    result = _parse_in_child(tmp_path, "lie.parquet", data)
    _assert_within_bounds(result)
    assert 0 < result["rows"] <= LIMITS.max_decompressed_bytes // MIB  # one whole 1 MiB page per row
    assert result["reason"].startswith("parquet: over the decompressed size limit after")
    assert result["arrow_peak_mb"] * MIB <= 3 * LIMITS.max_decompressed_bytes


@pytest.mark.parametrize("codec", ["zstd", "snappy", "gzip"])
def test_parquet_dictionary_of_one_long_string_on_every_row_is_cut_before_it_is_expanded(
        tmp_path: Path, codec: str) -> None:
    data = parquet_dictionary_bomb(rows=2000, value_bytes=MIB, codec=codec)
    assert len(data) < 100_000  # 2 GB once decoded
    result = _parse_in_child(tmp_path, "dict.parquet", data)
    _assert_within_bounds(result)
    # The dictionary is cut to max_cell_chars, then expanded: a whole sample, at the cost of one page.
    assert (result["rows"], result["longest"], result["reason"]) == (LIMITS.max_rows, LIMITS.max_cell_chars, "")
    assert result["arrow_peak_mb"] * MIB <= 2 * LIMITS.max_decompressed_bytes


def test_parquet_nested_dictionary_bomb_stops_at_the_decoded_budget(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    indices = pa.array([0] * 2000, pa.int32())
    notes = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * MIB]))
    column = pa.StructArray.from_arrays([notes], names=["note"])  # nested: arrow expands it itself
    buffer = io.BytesIO()
    pq.write_table(pa.table({"record": column}), buffer, compression="zstd")
    assert len(buffer.getvalue()) < 100_000
    result = _parse_in_child(tmp_path, "nested.parquet", buffer.getvalue())
    _assert_within_bounds(result)
    assert 0 < result["rows"] <= LIMITS.max_decompressed_bytes // MIB
    assert result["reason"].startswith("parquet: over the decompressed size limit (decoded values)")
    assert result["arrow_peak_mb"] * MIB <= 3 * LIMITS.max_decompressed_bytes


def test_parquet_whose_dictionaries_do_not_all_fit_reads_the_leading_columns_that_do() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    people = customers(40)
    columns = {f"c{n}": [f"{p.email}-{row:07d}" for row in range(5000) for p in people[:1]] for n in range(12)}
    buffer = io.BytesIO()  # 12 dictionary pages of ~150 KB each: not all of them fit a 1 MB budget
    pq.write_table(pa.table(columns), buffer, compression="zstd")
    limits = Limits(max_decompressed_bytes=1_000_000)
    sample = parse_sample("wide.parquet", buffer.getvalue(), limits=limits)
    read = len(sample.fields)
    assert 0 < read < 12
    assert list(sample.fields) == [f"c{n}" for n in range(read)]
    assert sample.rows == limits.max_rows
    assert sample.partial == f"parquet: over the decompressed size limit: {read} of 12 columns read"


def test_parquet_page_larger_than_the_budget_is_never_inflated(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()  # the default writer checks page size per 1024 values: one 48 MB page
    pq.write_table(pa.table({"note": ["x" * 200_000] * 240}), buffer, compression="zstd", use_dictionary=False)
    result = _parse_in_child(tmp_path, "page.parquet", buffer.getvalue())
    assert result["skipped"] == "parquet: over the decompressed size limit"
    assert result["arrow_peak_mb"] * MIB < LIMITS.max_decompressed_bytes


def test_page_headers_give_the_real_sizes_of_an_honest_file() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    people = customers(300)
    buffer = io.BytesIO()
    pq.write_table(pa.table({"email": [p.email for p in people], "n": list(range(300))}), buffer,
                   compression="snappy", data_page_size=2_000, row_group_size=200)
    data = buffer.getvalue()
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    for group in range(metadata.num_row_groups):
        for leaf in range(metadata.num_columns):
            column = metadata.row_group(group).column(leaf)
            start = min(o for o in (column.dictionary_page_offset, column.data_page_offset) if o)
            sizes = chunk_sizes(data, start, column.total_compressed_size, stop_after=10 * MIB)
            inflated = sizes.dictionary + sum(size for _, size in sizes.pages)
            assert sizes.complete
            assert sizes.pages[-1][0] == metadata.row_group(group).num_rows  # every row, page by page
            # The footer's total adds each page header's own bytes to what the pages inflate to.
            assert 0 < column.total_uncompressed_size - inflated <= 64 * (len(sizes.pages) + 1)


def test_parquet_page_header_that_runs_past_its_chunk_is_corrupt() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"email": [p.email for p in customers(20)]}), buffer, use_dictionary=False)
    data = bytearray(buffer.getvalue())
    column = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).column(0)
    data[column.data_page_offset : column.data_page_offset + 12] = b"\x15" + b"\xff" * 11  # endless varint
    with pytest.raises(SampleSkipped, match=r"^parquet: corrupt or unreadable$"):
        parse_sample("c.parquet", bytes(data), limits=LIMITS)


# ---- XLSX --------------------------------------------------------------------------------


def _one_row_of(cells: int) -> list[str]:
    return ['<row r="1">', *(['<c t="n"><v>1</v></c>'] * cells), "</row>"]


def test_xlsx_with_one_row_of_1_4_million_cells_stops_at_the_cell_bound(tmp_path: Path) -> None:
    data = xlsx(_one_row_of(1_400_000))
    assert len(data) < 100_000
    bounds = xlsx_bounds(LIMITS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = read_workbook(archive, bounds)
    assert book.stats.cells_parsed == bounds.cell_bound + 1  # the cell over the bound ends the read
    assert len(book.sheets[0][1][0]) == LIMITS.max_fields  # cells past max_fields are not kept
    result = _parse_in_child(tmp_path, "row.xlsx", data)
    _assert_within_bounds(result)
    assert result["reason"].startswith("xlsx: over the cell limit")


def test_xlsx_with_millions_of_shared_strings_parses_only_those_the_cells_use(tmp_path: Path) -> None:
    people = customers(10)
    names = [p.name for p in people]
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>']
    rows += [f'<row r="{n + 2}"><c r="A{n + 2}" t="s"><v>{n}</v></c></row>' for n in range(len(names))]
    data = xlsx(rows, chain(names, (f"s{n}" for n in range(1_900_000))))
    assert len(data) < 8 * MIB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = read_workbook(archive, xlsx_bounds(LIMITS))
    assert book.stats.strings_parsed == len(names)  # not 1.9 million: parsing stopped past the last used
    assert book.reason == ""
    sample = parse_sample("names.xlsx", data, limits=LIMITS)
    assert sample.fields["S!name"] == names
    assert sample.partial == ""


def test_xlsx_cell_pointing_past_millions_of_shared_strings_is_cut_at_the_byte_budget(tmp_path: Path) -> None:
    last = 1_900_000
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>ref</t></is></c></row>',
            f'<row r="2"><c r="A2" t="s"><v>{last}</v></c></row>']
    data = xlsx(rows, (f"s{n}" for n in range(last + 1)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = read_workbook(archive, xlsx_bounds(LIMITS))
    assert book.stats.bytes_inflated <= LIMITS.max_decompressed_bytes
    assert book.stats.strings_parsed < LIMITS.max_decompressed_bytes // len("<si><t>s0</t></si>")
    assert book.reason == "xlsx: shared strings over the decompressed size limit"
    result = _parse_in_child(tmp_path, "sst.xlsx", data)
    assert result.get("skipped", result.get("reason", "")).startswith(
        "xlsx: shared strings over the decompressed size limit")


def test_xlsx_sheet_of_millions_of_rows_inflates_only_the_rows_sampled(tmp_path: Path) -> None:
    people = customers(50)
    rows = (f'<row><c t="inlineStr"><is><t>{people[n % 50].email}</t></is></c></row>' for n in range(2_000_000))
    data = xlsx(chain(['<row><c t="inlineStr"><is><t>email</t></is></c></row>'], rows))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        declared = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        book = read_workbook(archive, xlsx_bounds(LIMITS))
    assert declared > 10 * LIMITS.max_decompressed_bytes  # streamed, not refused: only its head is needed
    assert book.stats.bytes_inflated < 2 * MIB
    assert book.more_rows and not book.reason
    result = _parse_in_child(tmp_path, "tall.xlsx", data)
    _assert_within_bounds(result)
    assert result["rows"] == LIMITS.max_rows
    assert (result["truncated"], result["reason"]) == (True, "")  # an ordinary sample: max_rows cut it


def test_xlsx_with_an_entity_expansion_dtd_is_refused() -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)) + "]>")
    data = xlsx(['<row r="1"><c t="inlineStr"><is><t>&i;</t></is></c></row>'], prolog=laughs)
    with pytest.raises(SampleSkipped, match=r"^xlsx: corrupt or unreadable$"):
        parse_sample("laughs.xlsx", data, limits=LIMITS)


def test_gzipped_xlsx_bomb_is_bounded_too(tmp_path: Path) -> None:
    data = gzip_stream([xlsx(_one_row_of(1_400_000))])
    result = _parse_in_child(tmp_path, "row.xlsx.gz", data)
    _assert_within_bounds(result)
    assert result["reason"].startswith("xlsx: over the cell limit")


# ---- gzip, JSON, text --------------------------------------------------------------------


def test_gzip_bomb_of_wide_csv_rows_is_cut_at_the_cap_with_a_reason(tmp_path: Path) -> None:
    row = b"x" * 100_000 + b",1\n"
    data = gzip_stream([b"note,id\n", *([row * 10] * 1000)])  # 1 GB
    assert len(data) < 2 * MIB
    result = _parse_in_child(tmp_path, "wide.csv.gz", data)
    _assert_within_bounds(result)
    assert 0 < result["rows"] < LIMITS.max_rows
    assert result["reason"] == f"csv.gz: over the decompressed size limit after {result['rows']} rows"


def test_gzip_bomb_of_text_without_line_breaks_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    data = gzip_stream([b"x" * MIB] * 1000)
    result = _parse_in_child(tmp_path, "dump.txt.gz", data)
    _assert_within_bounds(result)
    assert result["rows"] == LIMITS.max_rows  # max_rows, not the cap, ended it: an ordinary sample
    assert result["reason"] == ""


def test_nested_gzip_is_skipped_with_a_reason(tmp_path: Path) -> None:
    data = gzip_stream([gzip_stream([b"a,b\n1,2\n" * 100_000] * 100)])
    result = _parse_in_child(tmp_path, "n.csv.gz", data)
    assert result["skipped"] == "unsupported format: nested gzip"


@pytest.mark.parametrize(("name", "chunks"), [
    ("deep.json.gz", [b"[" * MIB] * 4 + [b"]" * MIB] * 4),
    ("deep_objects.json.gz", [b'{"a":' * 200_000] * 5 + [b"1"] + [b"}" * 200_000] * 5),
])
def test_deeply_nested_json_is_corrupt_not_a_crash(tmp_path: Path, name: str, chunks: list[bytes]) -> None:
    result = _parse_in_child(tmp_path, name, gzip_stream(chunks))
    assert result["skipped"] == "json: corrupt or unreadable"


@pytest.mark.parametrize("item", [b"1,", b'"a",', b"{},", b'{"phone": "0312345678"},'])
def test_gzip_bomb_of_a_huge_json_array_is_bounded(tmp_path: Path, item: bytes) -> None:
    data = gzip_stream([b"[", *([item * (MIB // len(item))] * 1000)])  # 1 GB, never closed
    result = _parse_in_child(tmp_path, "array.json.gz", data)
    _assert_within_bounds(result)


def test_xlsx_sheets_past_the_field_bound_are_not_inflated() -> None:
    rows = ['<row r="1">', *(f'<c t="inlineStr"><is><t>h{n}</t></is></c>' for n in range(LIMITS.max_fields)), "</row>"]
    one_sheet = xlsx(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(one_sheet)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():  # the same sheet listed 50 times in the workbook
            body = source.read(info)
            if info.filename == "xl/workbook.xml":
                sheets = "".join(f'<sheet name="S{n}" sheetId="{n + 1}" r:id="rId1"/>' for n in range(50))
                body = body.replace(b'<sheet name="S" sheetId="1" r:id="rId1"/>', sheets.encode())
            archive.writestr(info, body)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        book = read_workbook(archive, xlsx_bounds(LIMITS))
    assert len(book.sheets) == 1  # its 200 columns fill the sample: the 49 others are never read
    assert book.more_rows
    assert book.stats.cells_parsed == LIMITS.max_fields
