"""Limits hold for every format: rows, fields, cell characters and inflated bytes stay bounded."""

from __future__ import annotations

import gzip
import json

import pytest

from cloudaudit.config import Limits
from cloudaudit.formats import TEXT_FIELD, Sample, parse_sample
from tests.cloudaudit.formats.formatfactory import customers, gz, to_csv
from tests.cloudaudit.formats.inflation import counted_inflation


def test_max_rows_and_truncated_flag() -> None:
    people = customers(30)
    data = to_csv([p.row() for p in people]).encode()
    sample = parse_sample("a.csv", data, limits=Limits(max_rows=10))
    assert sample.rows == 10
    assert sample.truncated
    assert all(len(values) == 10 for values in sample.fields.values())
    exact = parse_sample("a.csv", data, limits=Limits(max_rows=30))
    assert exact.rows == 30
    assert not exact.truncated


def test_max_fields_drops_extra_columns_and_paths() -> None:
    header = [f"col{n}" for n in range(50)]
    data = to_csv([[str(n) for n in range(50)]], header=header).encode()
    assert list(parse_sample("w.csv", data, limits=Limits(max_fields=7)).fields) == header[:7]
    # Objects of one shape under 50 keys would read as a map (``<key>.v``): give each its own.
    document = json.dumps([{f"k{n}": {f"v{n}": n} for n in range(50)}]).encode()
    assert list(parse_sample("w.json", document, limits=Limits(max_fields=5)).fields) == [
        f"k{n}.v{n}" for n in range(5)]


def test_max_cell_chars_cuts_values() -> None:
    long_note = "x" * 5000
    limits = Limits(max_cell_chars=100)
    csv_sample = parse_sample("n.csv", f"note,id\n{long_note},1\n".encode(), limits=limits)
    assert csv_sample.fields["note"] == ["x" * 100]
    text_sample = parse_sample("n.txt", long_note.encode(), limits=limits)
    assert text_sample.fields[TEXT_FIELD] == ["x" * 100] * 50  # free text is read on, in pieces
    json_sample = parse_sample("n.json", json.dumps({"note": long_note}).encode(), limits=limits)
    assert json_sample.fields["note"] == ["x" * 100]


def test_jsonl_and_text_rows_are_bounded() -> None:
    limits = Limits(max_rows=3)
    lines = "".join(json.dumps({"n": n}) + "\n" for n in range(10)).encode()
    jsonl = parse_sample("a.jsonl", lines, limits=limits)
    assert (jsonl.rows, jsonl.fields["n"], jsonl.truncated) == (3, ["0", "1", "2"], True)
    text = parse_sample("a.txt", b"a\n\nb\nc\nd\n", limits=limits)
    assert (text.rows, text.fields[TEXT_FIELD], text.truncated) == (3, ["a", "b", "c"], True)


def _one_mib_csv() -> bytes:
    people = customers(200)
    block = to_csv([p.row() for p in people], header=None).encode()
    body = block * (1_048_576 // len(block) + 1)
    return (",".join(["name", "email", "phone", "my_number", "address"]) + "\r\n").encode() + body[:1_048_576]


def _bounded(sample: Sample, limits: Limits) -> None:
    assert len(sample.fields) <= limits.max_fields
    assert all(len(values) <= limits.max_rows for values in sample.fields.values())
    assert all(len(v) <= limits.max_cell_chars for values in sample.fields.values() for v in values if v)


def test_one_mib_csv_stops_at_max_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading 1 MiB of CSV costs what the bounds allow: max_rows rows, however big the object
    (its speed is measured by benchmarks/formats_speed.py, not asserted here)."""
    data = _one_mib_csv()
    limits = Limits()
    sample = parse_sample("big.csv", data, limits=limits, truncated=True)
    assert (sample.rows, sample.truncated) == (limits.max_rows, True)
    _bounded(sample, limits)
    with counted_inflation(monkeypatch) as inflation:
        gz_sample = parse_sample("big.csv.gz", gz(data), limits=limits, truncated=True)
    assert (gz_sample.rows, gz_sample.fields) == (sample.rows, sample.fields)
    assert inflation.produced <= len(data)


def test_one_mib_csv_read_in_full_parses_every_row() -> None:
    data = _one_mib_csv()
    limits = Limits(max_rows=1_000_000)
    sample = parse_sample("big.csv", data, limits=limits, truncated=True)
    lines = data.split(b"\r\n")  # header, complete rows, and a last row cut by the 1 MiB bound
    assert sample.rows > 5_000
    assert sample.rows in (len(lines) - 2, len(lines) - 1)  # the cut last row may or may not be kept
    _bounded(sample, limits)


def test_long_text_line_is_read_in_pieces_cut_at_spaces() -> None:
    people = customers(40)
    line = " ".join(f"{p.name} <{p.email}> {p.phone};" for p in people)  # one line, no breaks
    limits = Limits(max_cell_chars=200)
    sample = parse_sample("dump.txt", line.encode(), limits=limits)
    pieces = sample.fields[TEXT_FIELD]
    assert all(len(piece) <= 200 for piece in pieces)
    assert all(p.email in " ".join(pieces) for p in people)
    cut = parse_sample("dump.txt", line.encode()[: len(line) // 2], limits=limits, truncated=True)
    assert 0 < cut.rows < sample.rows
    assert cut.fields[TEXT_FIELD] == pieces[: cut.rows]


@pytest.mark.parametrize(("name", "plain", "truncated"), [
    ("floods.csv.gz", b"\n" * 8_000_000, False),
    ("floods.jsonl.gz", b"\n" * 8_000_000, False),
    ("floods.txt.gz", b"\n" * 8_000_000, False),
    ("spaces.txt.gz", b" " * 8_000_000, False),
    ("wide.csv.gz", b",".join([b"abc"] * 1_000_000) + b"\n", False),
    ("flat.json.gz", b"[" + b"1," * 4_000_000, True),
    ("keys.json.gz", json.dumps({f"k{i}": i for i in range(200_000)}).encode(), False),
    ("deep.json.gz", b"[" * 8_000_000, True),
])
def test_pathological_input_at_the_decompression_cap_stays_bounded(name: str, plain: bytes, truncated: bool,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(plain, compresslevel=1)
    limits = Limits()
    with counted_inflation(monkeypatch) as inflation:
        sample = parse_sample(name, data, limits=limits, truncated=truncated)
    assert inflation.produced <= limits.max_decompressed_bytes
    assert sample.rows <= limits.max_rows
    _bounded(sample, limits)
