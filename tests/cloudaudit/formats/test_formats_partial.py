"""A sample that could not be read to its bounds says so (``partial``, with a reason), never clean."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import pytest

from cloudaudit.config import Limits
from cloudaudit.formats import parse_sample
from cloudaudit.sampling import parse_bytes
from tests.cloudaudit.formats.formatfactory import customers, to_csv

CSV_FIELD_LIMIT = 131_072  # Python's csv default field_size_limit
MAX_PEAK_BYTES = 64 * 1024 * 1024


def _over_limit_cell_then_people(quoted: bool) -> tuple[bytes, list[str]]:
    people = customers(20, seed=3)
    blob = "x" * (CSV_FIELD_LIMIT + 10)
    cell = f'"{blob}"' if quoted else blob
    rows = [f"{p.name},{p.email},{p.phone}" for p in people]
    text = "name,email,phone\n" + rows[0] + "\n" + f"note,{cell},none\n" + "\n".join(rows[1:]) + "\n"
    return text.encode(), [p.email for p in people]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_over_the_csv_field_limit_leaves_the_sample_partial_and_reads_on(quoted: bool,
                                                                                limits: Limits) -> None:
    data, emails = _over_limit_cell_then_people(quoted)
    sample = parse_sample("notes.csv", data, limits=limits)
    assert sample.partial == f"csv: a row with a cell over the csv field limit ({CSV_FIELD_LIMIT} characters) was skipped"
    assert sample.truncated
    assert sample.fields["email"] == emails  # the rows after it are still read
    assert sample.rows == len(emails)


def _million_column_header() -> bytes:
    return (",".join(f"customer_field_{n}" for n in range(1_000_000)) + "\n").encode()


def test_a_million_column_header_cut_by_the_range_read_is_partial_in_bounded_memory() -> None:
    limits = Limits()
    data = _million_column_header() + b"Taro,taro@example.com\n"
    head = data[: limits.max_object_bytes]  # what a range read (or `cloudaudit scan`) gets
    tracemalloc.start()
    try:
        sample = parse_sample("wide.csv", head, limits=limits, truncated=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sample.rows == 0
    assert sample.partial.startswith("csv: ")
    assert peak < MAX_PEAK_BYTES // 4


def test_a_million_column_header_gzipped_is_partial_in_bounded_memory() -> None:
    limits = Limits()
    people = customers(5, seed=4)
    body = "".join(f"{p.name},{p.email}\n" for p in people)
    data = gzip.compress(_million_column_header() + body.encode())
    tracemalloc.start()
    try:
        sample = parse_sample("wide.csv.gz", data, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sample.partial  # the header is over max_decompressed_bytes: no record was reached
    assert sample.rows == 0
    assert peak < MAX_PEAK_BYTES // 2  # the inflated 8 MiB as bytes and text; rows cut at the line bound


def test_a_row_over_the_line_bound_is_cut_and_said() -> None:
    limits = Limits(max_fields=5, max_cell_chars=10)  # rows over max(csv limit, 5 * 13) characters are cut
    wide = ",".join(["abc"] * 50_000)
    text = "name,phone,city\n" + wide + "\nTaro,0312345678,Osaka\n"
    sample = parse_bytes("w.csv", text.encode(), limits=limits)  # header words handed in, as extracted
    assert sample.partial == "csv: a row over 131072 characters was cut"
    assert sample.fields["phone"][-1] == "0312345678"  # the row after it is read


def test_a_jsonl_line_longer_than_the_read_is_partial(limits: Limits) -> None:
    line = json.dumps({f"k{n}": n for n in range(200_000)})
    sample = parse_sample("big.jsonl", line.encode()[: limits.max_object_bytes], limits=limits, truncated=True)
    assert sample.rows == 0
    assert sample.partial == f"jsonl: no complete record in the {limits.max_object_bytes} bytes read"


def test_complete_samples_are_not_partial(limits: Limits) -> None:
    people = customers(5)
    assert parse_sample("a.csv", to_csv([p.row() for p in people]).encode(), limits=limits).partial == ""
    assert parse_sample("h.csv", b"name,email\n", limits=limits).partial == ""  # a header alone, read whole
    cut = to_csv([p.row() for p in people]).encode()[:-5]
    assert parse_sample("a.csv", cut, limits=limits, truncated=True).partial == ""  # bound by bytes, rows read
