"""gzip: every format compressed, bombs capped, cut and damaged streams."""

from __future__ import annotations

import functools
import gzip
import io
import json

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import TEXT_FIELD, parse_sample
from cloudaudit.formats.compression import gunzip
from tests.cloudaudit.formats.formatfactory import customers, gz, gzip_bomb, nested_records, to_csv, to_jsonl
from tests.cloudaudit.formats.inflation import counted_inflation


@functools.cache
def _payloads() -> dict[str, tuple[str, bytes]]:
    people = customers(5)
    records = nested_records(people)
    return {
        "csv": ("a.csv.gz", to_csv([p.row() for p in people]).encode()),
        "tsv": ("a.tsv.gz", to_csv([p.row() for p in people], delimiter="\t").encode()),
        "json": ("a.json.gz", json.dumps(records).encode()),
        "jsonl": ("a.jsonl.gz", to_jsonl(records)),
        "text": ("a.txt.gz", "\n".join(f"call {p.name} on {p.phone}" for p in people).encode()),
        "parquet": ("a.parquet.gz", _parquet(records)),
        "xlsx": ("a.xlsx.gz", _xlsx(people)),
    }


def _parquet(records: list[dict[str, object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records), buffer)
    return buffer.getvalue()


def _xlsx(people: list[object]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Customers"
    sheet.append(["name", "email"])
    for person in people:
        sheet.append([person.name, person.email])  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "text", "parquet", "xlsx"])
def test_gzip_of_each_format_reads_like_the_plain_file(limits: Limits, fmt: str) -> None:
    name, plain = _payloads()[fmt]
    expected = parse_sample(name.removesuffix(".gz"), plain, limits=limits)
    sample = parse_sample(name, gz(plain), limits=limits)
    assert sample.format == f"{fmt}.gz"
    assert sample.fields == expected.fields
    assert sample.rows == expected.rows > 0


def test_gzip_is_recognised_without_extension(limits: Limits) -> None:
    _, plain = _payloads()["csv"]
    assert parse_sample("blob", gz(plain), limits=limits).format == "csv.gz"


def test_gzip_bomb_is_capped_not_inflated(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = gzip_bomb(b"0", 200 * 1_048_576)
    with counted_inflation(monkeypatch) as inflation:
        inflated = gunzip(bomb, 1_000_000)
    assert len(inflated.data) == 1_000_000
    assert inflated.truncated
    # The work is bounded by the cap: not one byte past it was ever produced (of 200 MiB on offer).
    assert (inflation.streams, inflation.produced) == (1, 1_000_000)


def test_gzip_bomb_sample_is_marked_truncated() -> None:
    line = b"Taro Yamada called 0312345678 from Tokyo\n"
    bomb = gz(b"note\n") + gzip_bomb(line, 200 * 1_048_576)  # 200 MB of text
    limits = Limits(max_decompressed_bytes=1_000_000, max_rows=100_000)
    sample = parse_sample("notes.txt.gz", bomb, limits=limits)
    assert sample.truncated
    assert sample.rows < 1_000_000 // len(line) + 2


def test_range_read_of_gzip_decompresses_what_is_there(limits: Limits) -> None:
    people = customers(400)
    data = gz(to_csv([p.row() for p in people]).encode())
    head = data[: len(data) // 2]
    sample = parse_sample("c.csv.gz", head, limits=limits, truncated=True)
    assert sample.truncated
    assert 0 < sample.rows < 400
    assert sample.fields["email"] == [p.email for p in people[: sample.rows]]


def test_cut_gzip_file_keeps_what_decompresses(limits: Limits) -> None:
    people = customers(400)
    data = gz(to_csv([p.row() for p in people]).encode())
    sample = parse_sample("c.csv.gz", data[:-5000], limits=limits)
    assert sample.truncated
    assert sample.fields["my_number"] == [p.my_number for p in people[: sample.rows]]


def test_damaged_gzip_is_corrupt(limits: Limits) -> None:
    data = bytearray(gz(to_csv([p.row() for p in customers(50)]).encode()))
    data[20:40] = b"\xff" * 20
    with pytest.raises(SampleSkipped, match=r"^gzip: corrupt or unreadable$"):
        parse_sample("c.csv.gz", bytes(data), limits=limits)


def test_multi_member_gzip(limits: Limits) -> None:
    data = gz(b"first line\n") + gz(b"second line\n")
    sample = parse_sample("log.txt.gz", data, limits=limits)
    assert sample.fields == {TEXT_FIELD: ["first line", "second line"]}


def test_truncated_whole_object_format_is_skipped(limits: Limits) -> None:
    name, plain = _payloads()["parquet"]
    with pytest.raises(SampleSkipped, match="parquet: needs the whole object"):
        parse_sample(name, gz(plain)[:200], limits=limits, truncated=True)


def test_nested_gzip_is_unsupported(limits: Limits) -> None:
    with pytest.raises(SampleSkipped, match="unsupported format: nested gzip"):
        parse_sample("x.gz", gz(gz(b"a,b\n1,2\n")), limits=limits)


def test_gzip_with_zero_padding_after_the_stream(limits: Limits) -> None:
    sample = parse_sample("t.txt.gz", gzip.compress(b"hello\n") + b"\x00" * 64, limits=limits)
    assert sample.fields == {TEXT_FIELD: ["hello"]}
