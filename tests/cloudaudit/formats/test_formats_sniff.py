"""sniff: magic bytes, then extension, then content; unsupported input is named, not read."""

from __future__ import annotations

import io
import zipfile

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import WHOLE_OBJECT_FORMATS, needs_whole_object, parse_sample, sniff
from tests.cloudaudit.formats.formatfactory import customers, gz, to_csv


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CSV = to_csv([p.row() for p in customers(3)]).encode()


@pytest.mark.parametrize(("name", "head", "content_type", "expected"), [
    ("a.csv", CSV, None, "csv"),
    ("a.CSV", CSV, None, "csv"),
    ("blob", CSV, None, "csv"),
    ("blob", CSV.replace(b",", b"\t"), None, "tsv"),
    ("blob", CSV, "text/csv; charset=utf-8", "csv"),
    ("a.json", b'{"a": [1, 2]}', None, "json"),
    ("blob", b'  [\n {"a": 1}\n]', None, "json"),
    ("a.json", b'{"a": 1}\n{"a": 2}\n', None, "jsonl"),
    ("a.ndjson", b'{"a": 1}\n{"a": 2}\n', None, "jsonl"),
    ("a.jsonl", b'{\n  "a": 1\n}\n', None, "json"),
    ("blob", b"Dear customer, your car is ready.\nRegards, the dealer", None, "text"),
    ("notes.txt", b"a;b\nc;d\n", None, "csv"),
    ("notes.txt", b"Call the owner; the car is ready.\nThanks; see you.\n", None, "text"),
    ("a.parquet", b"PAR1....", None, "parquet"),
    ("misnamed.csv", b"PAR1....", None, "parquet"),
    ("a.xlsx", b"garbage", None, "xlsx"),  # named so: the parser will call it corrupt
    ("a.csv.gz", gz(CSV), None, "csv.gz"),
    ("a.gz", gz(b'{"a": 1}'), None, "json.gz"),
    ("book", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), None, "xlsx"),
])
def test_sniff(name: str, head: bytes, content_type: str | None, expected: str) -> None:
    assert sniff(name, head, content_type) == expected


@pytest.mark.parametrize(("name", "head", "reason"), [
    ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
    ("car.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
    ("car.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
    ("doc.docx", _zip({"word/document.xml": b"<x/>"}), "zip archive"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "OLE2"),
    ("a.bin", bytes(range(256)) * 4, "binary data"),
    ("x.csv", b"name,phone\n\x00\x01\x02\x03binary\x00\x00", "binary data"),
    ("x.tgz", gz(b"a" * 257 + b"ustar\x00" + b"\x00" * 300), "tar archive"),
    ("x.bz2", b"BZh91AY&SY" + b"\x01" * 50, "bzip2"),
])
def test_unsupported_formats_are_named(name: str, head: bytes, reason: str) -> None:
    with pytest.raises(SampleSkipped, match=f"^unsupported format: .*{reason}") as caught:
        sniff(name, head)
    assert len(str(caught.value)) < 80


def test_parse_sample_refuses_unsupported(limits: Limits) -> None:
    with pytest.raises(SampleSkipped, match="^unsupported format: PDF document$"):
        parse_sample("scan.pdf", b"%PDF-1.4\n" + b"x" * 100, limits=limits)


def test_text_starting_with_short_magic_is_still_text() -> None:
    assert sniff("brands", b"BMW\nMazda\nToyota\n") == "text"
    assert sniff("brands.csv", b"MZ,model\nMazda,CX-5\n") == "csv"


def test_whole_object_formats() -> None:
    assert {"parquet", "xlsx"} == WHOLE_OBJECT_FORMATS
    assert needs_whole_object("xlsx.gz")
    assert not needs_whole_object("jsonl.gz")


def test_names_alone_when_there_are_no_bytes_yet() -> None:
    assert sniff("x/orders.parquet.gz", b"") == "parquet.gz"
    assert sniff("x/book.xlsx", b"") == "xlsx"
    assert sniff("x/a.csv", b"") == "csv"


def test_gzip_content_type_says_nothing_about_the_inside() -> None:
    assert sniff("blob", gz(CSV), "application/gzip") == "csv.gz"
    assert sniff("blob", gz(b'{"a": 1}'), "application/json") == "json.gz"


def test_zip_named_xlsx_is_xlsx_even_without_xl_in_the_head() -> None:
    assert sniff("book.xlsx", _zip({"docProps/thumbnail.bin": b"\x00" * 10})) == "xlsx"


def test_structured_log_is_json_lines() -> None:
    assert sniff("app.log", b'{"level": "info", "user": "u1"}\n{"level": "warn", "user": "u2"}\n') == "jsonl"


def test_text_files_are_read_by_their_content() -> None:
    assert sniff("export.txt", b"name,phone\nTaro,0312345678\nHanako,0311112222\n") == "csv"
    assert sniff("excel-unicode.txt", "name\tphone\nTaro\t03\n".encode("utf-16")) == "tsv"
    assert sniff("service.log", b"[INFO] started\n[WARN] slow request from 10.0.0.1\n") == "text"
    assert sniff("upload", b"name,phone\nTaro,0312345678\n", "text/plain") == "csv"
