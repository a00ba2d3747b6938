"""A corrupt file's reason names the format and the problem, never a value from the file."""

from __future__ import annotations

import io
import json
import traceback
import zipfile
from collections.abc import Callable

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import parse_sample
from cloudaudit.sampling import parse_bytes
from tests.cloudaudit.formats.formatfactory import Customer, all_values, customers, gz, to_csv

PEOPLE = customers(8, locale="ja_JP")


def _csv_unbalanced_quote(people: list[Customer]) -> tuple[str, bytes]:
    return "c.csv", ('"' + to_csv([p.row() for p in people]) * 400).encode()


def _json_cut(people: list[Customer]) -> tuple[str, bytes]:
    data = json.dumps([{"name": p.name, "phone": p.phone} for p in people], ensure_ascii=False).encode()
    return "c.json", data[:-20]


def _json_bad_token(people: list[Customer]) -> tuple[str, bytes]:
    return "c.json", json.dumps({"name": people[0].name}, ensure_ascii=False).replace(":", " ").encode()


def _jsonl_broken(people: list[Customer]) -> tuple[str, bytes]:
    return "c.jsonl", "".join(f'{{"email": {p.email}}}\n' for p in people).encode()


def _gzip_damaged(people: list[Customer]) -> tuple[str, bytes]:
    data = bytearray(gz(to_csv([p.row() for p in people]).encode()))
    data[15:30] = b"\xee" * 15
    return "c.csv.gz", bytes(data)


def _parquet_damaged(people: list[Customer]) -> tuple[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    table = pa.table({"name": [p.name for p in people], "my_number": [p.my_number for p in people]})
    pq.write_table(table, buffer, compression="none", use_dictionary=False)
    data = bytearray(buffer.getvalue())
    data[4:60] = b"\x7f" * 56  # the first column chunk's page header and values
    return "c.parquet", bytes(data)


def _parquet_cut(people: list[Customer]) -> tuple[str, bytes]:
    name, data = _parquet_damaged(people)
    return name, data[:-30]


def _xlsx_with_values_that_do_not_parse(people: list[Customer]) -> tuple[str, bytes]:
    cells = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>{p.name}</v></c><c r="B{n}" t="d"><v>{p.email}</v></c></row>'
                    for n, p in enumerate(people, 1))
    return "c.xlsx", _xlsx_archive(f"<sheetData>{cells}</sheetData>")


def _xlsx_with_broken_xml(people: list[Customer]) -> tuple[str, bytes]:
    return "c.xlsx", _xlsx_archive(f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{people[0].name}</t>')


def _xlsx_archive(sheet_data: str) -> bytes:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", f'<workbook {ns} {rel}><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
                                            "</sheets></workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml", f"<worksheet {ns}>{sheet_data}</worksheet>")
    return buffer.getvalue()


def _utf16_odd_bytes(people: list[Customer]) -> tuple[str, bytes]:
    return "c.csv", b"\xff\xfe" + "\n".join(p.name for p in people).encode("utf-16-le") + b"\x00\xd8\x41"


CORRUPTORS: list[Callable[[list[Customer]], tuple[str, bytes]]] = [
    _json_cut, _json_bad_token, _jsonl_broken, _gzip_damaged, _parquet_damaged,
    _parquet_cut, _xlsx_with_values_that_do_not_parse, _xlsx_with_broken_xml, _utf16_odd_bytes,
]


def test_unbalanced_quote_reads_on_as_partial_and_carries_no_value() -> None:
    # The reader rejects the first (oversized, quoted) row and goes on with the next line: the
    # rows after it are sampled, and the sample says it is not complete.
    name, data = _csv_unbalanced_quote(PEOPLE)
    sample = parse_bytes(name, data, limits=Limits())  # as the extract path parses
    assert sample.partial.startswith("csv: a row with a cell over the csv field limit")
    assert sample.rows > 0
    shown = sample.partial + repr(sample) + "".join(sample.fields)
    assert [value for value in all_values(PEOPLE) if value in shown or value[-6:] in shown] == []


@pytest.mark.parametrize("corrupt", CORRUPTORS, ids=lambda f: f.__name__.strip("_"))
def test_corrupt_file_reason_carries_no_value(corrupt: Callable[[list[Customer]], tuple[str, bytes]]) -> None:
    name, data = corrupt(PEOPLE)
    with pytest.raises(SampleSkipped) as caught:
        parse_sample(name, data, limits=Limits())
    shown = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert str(caught.value).endswith(("corrupt or unreadable", "unknown text encoding"))
    leaked = [value for value in all_values(PEOPLE) if value in shown or value[-6:] in shown]
    assert leaked == []
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None  # no chained parser error to quote the input
