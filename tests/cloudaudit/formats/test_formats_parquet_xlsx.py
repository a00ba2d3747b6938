"""Parquet and XLSX: whole-object formats."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import parse_sample
from tests.cloudaudit.formats.formatfactory import Customer, customers


def _parquet(table: Any, **options: Any) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def _people_table(people: list[Customer]) -> Any:
    import pyarrow as pa

    return pa.table({
        "customer": pa.array([{"name": p.name, "contact": {"email": p.email}} for p in people]),
        "phones": pa.array([[p.phone, None] for p in people]),
        "vehicles": pa.array([[{"plate": "品川 300 さ 12-34"}] for _ in people]),
        "balance": pa.array([1234567890123.0] * len(people)),
        "ratio": pa.array([0.1] * len(people), pa.float32()),
        "born": pa.array([dt.date(1980, 5, 1)] * len(people)),
        "amount": pa.array([Decimal("12.50")] * len(people)),
    })


def test_parquet_struct_and_list_columns_become_paths(limits: Limits) -> None:
    people = customers(5)
    sample = parse_sample("c.parquet", _parquet(_people_table(people)), limits=limits)
    assert sample.format == "parquet"
    assert sample.rows == 5
    assert sample.fields["customer.name"] == [p.name for p in people]
    assert sample.fields["customer.contact.email"] == [p.email for p in people]
    assert sample.fields["phones[]"] == [v for p in people for v in (p.phone, None)]
    assert sample.fields["vehicles[].plate"] == ["品川 300 さ 12-34"] * 5
    assert sample.fields["balance"] == ["1234567890123"] * 5
    assert sample.fields["ratio"] == ["0.1"] * 5  # float32 without widening noise
    assert sample.fields["born"] == ["1980-05-01"] * 5
    assert sample.fields["amount"] == ["12.50"] * 5


def test_parquet_reads_only_the_rows_it_needs(limits: Limits) -> None:
    import pyarrow as pa

    people = customers(50)
    table = pa.table({"email": [p.email for p in people] * 40})
    sample = parse_sample("big.parquet", _parquet(table, row_group_size=100),
                          limits=Limits(max_rows=150))
    assert sample.rows == 150
    assert sample.truncated
    assert sample.fields["email"] == ([p.email for p in people] * 3)


def test_parquet_max_fields_limits_columns(limits: Limits) -> None:
    import pyarrow as pa

    table = pa.table({f"c{n}": [str(n)] for n in range(30)})
    sample = parse_sample("wide.parquet", _parquet(table), limits=Limits(max_fields=10))
    assert list(sample.fields) == [f"c{n}" for n in range(10)]


@pytest.mark.parametrize("cut", [lambda d: d[: len(d) // 2], lambda d: d[:-12], lambda d: b"PAR1" + b"\0" * 64])
def test_truncated_or_broken_parquet_is_corrupt(limits: Limits, cut: Any) -> None:
    data = _parquet(_people_table(customers(20)))
    with pytest.raises(SampleSkipped, match=r"^parquet: corrupt or unreadable$"):
        parse_sample("c.parquet", cut(data), limits=limits)


def test_parquet_from_a_range_read_is_skipped(limits: Limits) -> None:
    data = _parquet(_people_table(customers(3)))
    with pytest.raises(SampleSkipped, match="parquet: needs the whole object"):
        parse_sample("c.parquet", data, limits=limits, truncated=True)


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_two_sheets_with_sheet_qualified_fields(limits: Limits) -> None:
    people = customers(4, locale="ja_JP")
    data = _workbook({
        "顧客": [["氏名", "電話番号", None, "生年月日"]]
                + [[p.name, p.phone, p.city, dt.datetime(1980, 5, n + 1)] for n, p in enumerate(people)],
        "Vehicles": [["VIN", "Mileage"], ["1M8GDM9AXKP042788", 123456.0], [None, 7.5]],
    })
    sample = parse_sample("dealer.xlsx", data, limits=limits)
    assert sample.format == "xlsx"
    assert sample.rows == 6
    assert sample.fields["顧客!氏名"] == [p.name for p in people]
    assert sample.fields["顧客!column_3"] == [p.city for p in people]
    assert sample.fields["顧客!生年月日"] == [f"1980-05-0{n}" for n in range(1, 5)]
    assert sample.fields["Vehicles!VIN"] == ["1M8GDM9AXKP042788", None]
    assert sample.fields["Vehicles!Mileage"] == ["123456", "7.5"]


def test_xlsx_first_row_of_data_is_not_used_as_names(limits: Limits) -> None:
    people = customers(2)
    data = _workbook({"Sheet1": [[p.name, p.email] for p in people]})
    sample = parse_sample("x.xlsx", data, limits=limits)
    assert sample.fields["Sheet1!column_2"] == [p.email for p in people]
    assert not any(p.email in name for p in people for name in sample.fields)


def test_xlsx_rows_are_bounded(limits: Limits) -> None:
    data = _workbook({"S": [["n"]] + [[str(n)] for n in range(50)]})
    sample = parse_sample("x.xlsx", data, limits=Limits(max_rows=10))
    assert sample.fields["S!n"] == [str(n) for n in range(10)]
    assert sample.truncated


@pytest.mark.parametrize("damage", ["cut", "garbage", "not_a_workbook"])
def test_broken_xlsx_is_corrupt(limits: Limits, damage: str) -> None:
    data = _workbook({"S": [["name"], ["Taro"]]})
    if damage == "cut":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = data[:200] + b"\xff" * 500 + data[700:]
    else:
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml", "<not-a-workbook/>")
        data = buffer.getvalue()
    with pytest.raises(SampleSkipped, match=r"^xlsx: corrupt or unreadable$"):
        parse_sample("x.xlsx", data, limits=limits)


def test_parquet_row_groups_past_max_rows_are_not_decoded() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    people = customers(30)
    data = bytearray(_parquet(pa.table({"email": [p.email for p in people]}), row_group_size=10,
                              compression="none", use_dictionary=False))
    last = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(2).column(0)
    start = last.data_page_offset
    data[start : start + last.total_compressed_size] = b"\xff" * last.total_compressed_size
    sample = parse_sample("c.parquet", bytes(data), limits=Limits(max_rows=15))
    assert sample.fields["email"] == [p.email for p in people[:15]]
    with pytest.raises(SampleSkipped, match="parquet: corrupt"):
        parse_sample("c.parquet", bytes(data), limits=Limits(max_rows=30))


def test_parquet_that_inflates_past_the_cap_reads_fewer_rows() -> None:
    import pyarrow as pa

    note = "x" * 50_000
    # Pages of two values each: a page inflates whole, so one 10 MB page could not be read at all.
    data = _parquet(pa.table({"note": [note] * 200}), compression="zstd", use_dictionary=False,
                    data_page_size=100_000, write_batch_size=1)
    assert len(data) < 100_000  # 10 MB of values in a small file
    sample = parse_sample("n.parquet", data, limits=Limits(max_decompressed_bytes=1_000_000, max_cell_chars=10))
    assert 0 < sample.rows <= 20
    assert sample.truncated


def test_xlsx_first_row_shaped_like_the_rest_is_a_record(limits: Limits) -> None:
    people = customers(5, locale="ja_JP")
    data = _workbook({"名簿": [[p.name, p.city] for p in people]})
    sample = parse_sample("x.xlsx", data, limits=limits)
    assert list(sample.fields) == ["名簿!column_1", "名簿!column_2"]
    assert sample.fields["名簿!column_1"] == [p.name for p in people]


def test_xlsx_blank_rows_above_the_header_are_skipped(limits: Limits) -> None:
    people = customers(3)
    data = _workbook({"S": [[None, None], [None], ["name", "email"]] + [[p.name, p.email] for p in people]})
    sample = parse_sample("x.xlsx", data, limits=limits)
    assert sample.fields == {"S!name": [p.name for p in people], "S!email": [p.email for p in people]}


def test_xlsx_title_above_the_header_is_text_not_a_record(limits: Limits) -> None:
    people = customers(4)
    data = _workbook({"S": [["Customer list 2024 (prepared by the dealer)"], [None],
                            ["name", "email", "phone"]] + [[p.name, p.email, p.phone] for p in people]})
    sample = parse_sample("x.xlsx", data, limits=limits)
    assert sample.fields["S!(text)"] == ["Customer list 2024 (prepared by the dealer)"]
    assert sample.fields["S!email"] == [p.email for p in people]
    assert sample.rows == 4
