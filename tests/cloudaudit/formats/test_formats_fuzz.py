"""Fuzzing: whatever the bytes, parse_sample returns a bounded Sample or raises SampleSkipped."""

from __future__ import annotations

import functools
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import Sample, parse_sample
from tests.cloudaudit.formats.formatfactory import customers, gz, nested_records, to_csv, to_jsonl

LIMITS = Limits(max_rows=20, max_fields=15, max_cell_chars=50, max_decompressed_bytes=200_000)
NAMES = ["a.csv", "a.tsv", "a.json", "a.jsonl", "a.parquet", "a.xlsx", "a.txt", "a.csv.gz", "a.json.gz",
         "a.parquet.gz", "a.xlsx.gz", "blob", "a.pdf"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def _check(name: str, data: bytes, truncated: bool) -> None:
    try:
        sample = parse_sample(name, data, limits=LIMITS, truncated=truncated)
    except SampleSkipped as exc:
        assert len(str(exc)) < 100
        assert exc.__context__ is None and exc.__cause__ is None  # nothing chained that could quote input
        return
    assert isinstance(sample, Sample)
    assert len(sample.fields) <= LIMITS.max_fields
    for values in sample.fields.values():
        assert len(values) <= LIMITS.max_rows
        assert all(v is None or (isinstance(v, str) and 0 < len(v) <= LIMITS.max_cell_chars) for v in values)


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=4096), truncated=st.booleans())
def test_random_bytes(name: str, data: bytes, truncated: bool) -> None:
    _check(name, data, truncated)


@functools.cache
def _valid_files() -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openpyxl import Workbook

    people = customers(6)
    records = nested_records(people)
    parquet = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records), parquet)
    workbook = Workbook()
    for person in people:
        workbook.active.append([person.name, person.email, person.phone])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    csv_bytes = to_csv([p.row() for p in people]).encode()
    return {"a.csv": csv_bytes, "a.json": json.dumps(records).encode(), "a.jsonl": to_jsonl(records),
            "a.parquet": parquet.getvalue(), "a.xlsx": xlsx.getvalue(), "a.csv.gz": gz(csv_bytes),
            "a.txt": "\n".join(p.address for p in people).encode("cp932", errors="replace")}


@FUZZ
@given(name=st.sampled_from(["a.csv", "a.json", "a.jsonl", "a.parquet", "a.xlsx", "a.csv.gz", "a.txt"]),
       edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
       cut=st.floats(0.05, 1), truncated=st.booleans())
def test_damaged_valid_files(name: str, edits: list[tuple[float, int]], cut: float, truncated: bool) -> None:
    data = bytearray(_valid_files()[name])
    for where, byte in edits:
        data[int(where * len(data))] = byte
    _check(name, bytes(data[: max(1, int(cut * len(data)))]), truncated)
