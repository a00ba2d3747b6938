"""CSV/TSV: headers, delimiters, encodings, truncation."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from faker import Faker

from cloudaudit.config import Limits
from cloudaudit.formats import TEXT_FIELD, parse_sample
from cloudaudit.formats.header import is_header
from tests.cloudaudit.formats.formatfactory import HEADER, customers, to_csv


def test_csv_with_header_reads_columns_by_name(limits: Limits) -> None:
    people = customers(5)
    sample = parse_sample("export/customers.csv", to_csv([p.row() for p in people]).encode(), limits=limits)
    assert sample.format == "csv"
    assert list(sample.fields) == HEADER
    assert sample.fields["email"] == [p.email for p in people]
    assert sample.fields["my_number"] == [p.my_number for p in people]
    assert sample.rows == 5
    assert not sample.truncated


def test_headerless_csv_gets_one_based_column_names(limits: Limits) -> None:
    people = customers(4)
    data = to_csv([p.row() for p in people], header=None).encode()
    sample = parse_sample("dump.csv", data, limits=limits)
    assert list(sample.fields) == [f"column_{n}" for n in range(1, 6)]
    assert sample.fields["column_2"] == [p.email for p in people]
    assert sample.rows == 4  # the first row is data, not a header


@pytest.mark.parametrize(("row", "expected"), [
    (["name", "email", "phone"], True),
    (["氏名", "住所", "電話番号"], True),
    (["customer id", "", "notes"], True),
    (["Taro", "taro@example.com", "09012345678"], False),
    (["1", "2", "3"], False),
    (["2024-01-31", "note", "x"], False),
    (["", "", "name"], False),
])
def test_header_detection(row: list[str], expected: bool) -> None:
    assert is_header(row) is expected


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_other_delimiters_are_detected(limits: Limits, delimiter: str) -> None:
    people = customers(6)
    data = to_csv([p.row() for p in people], delimiter=delimiter).encode()
    sample = parse_sample("data.csv", data, limits=limits)
    assert list(sample.fields) == HEADER
    assert sample.fields["address"] == [p.address for p in people]


def test_tsv_by_extension_and_by_content(limits: Limits) -> None:
    people = customers(3)
    data = to_csv([p.row() for p in people], delimiter="\t").encode()
    assert parse_sample("a.tsv", data, limits=limits).format == "tsv"
    sniffed = parse_sample("no-extension", data, limits=limits)
    assert sniffed.format == "tsv"
    assert sniffed.fields["phone"] == [p.phone for p in people]


def test_utf8_bom_is_not_part_of_the_first_header(limits: Limits) -> None:
    people = customers(2)
    data = codecs.BOM_UTF8 + to_csv([p.row() for p in people]).encode()
    sample = parse_sample("bom.csv", data, limits=limits)
    assert "name" in sample.fields
    assert sample.fields["name"] == [p.name for p in people]


def test_quoted_newlines_stay_in_one_cell(limits: Limits) -> None:
    fake = Faker("en_US")
    fake.seed_instance(3)
    addresses = [fake.address() for _ in range(3)]
    assert all("\n" in a for a in addresses)
    data = to_csv([[a, str(n)] for n, a in enumerate(addresses)], header=["address", "id"]).encode()
    sample = parse_sample("a.csv", data, limits=limits)
    assert sample.fields["address"] == [a.strip() for a in addresses]
    assert sample.rows == 3


@pytest.mark.parametrize(("locale", "encoding", "header"), [
    ("ja_JP", "shift_jis", ["氏名", "住所", "email"]),
    ("ja_JP", "cp932", ["氏名", "住所", "email"]),
    ("th_TH", "tis-620", ["ชื่อ", "ที่อยู่", "email"]),
    ("th_TH", "cp874", ["ชื่อ", "ที่อยู่", "email"]),
])
def test_legacy_encodings(limits: Limits, locale: str, encoding: str, header: list[str]) -> None:
    people = customers(20, locale=locale)
    text = to_csv([[p.name, p.address, p.email] for p in people], header=header)
    sample = parse_sample("dealer.csv", text.encode(encoding), limits=limits)
    assert list(sample.fields) == header
    assert sample.fields[header[0]] == [p.name for p in people]
    assert sample.fields[header[1]] == [p.address for p in people]


def test_windows_1252(limits: Limits) -> None:
    fake = Faker("fr_FR")
    fake.seed_instance(4)
    names = [fake.name() + " Müller-Gonçalves" for _ in range(10)]
    text = "nom,note\r\n" + "".join(f"{n},é\r\n" for n in names)
    sample = parse_sample("dealer.csv", text.encode("cp1252"), limits=limits)
    assert sample.fields["nom"] == names
    assert sample.fields["note"] == ["é"] * 10


def test_windows_1258_vietnamese_is_decoded_and_composed(limits: Limits) -> None:
    fake = Faker("vi_VN")
    fake.seed_instance(5)
    names = [fake.name() for _ in range(30)]
    text = "họ tên,ghi chú\r\n" + "".join(f"{n},x\r\n" for n in names)
    sample = parse_sample("vn.csv", _encode_cp1258(text), limits=limits)
    assert list(sample.fields) == ["họ tên", "ghi chú"]
    assert sample.fields["họ tên"] == [unicodedata.normalize("NFC", n) for n in names]


def _encode_cp1258(text: str) -> bytes:
    """Windows-1258 has few precomposed letters: the rest are a base letter plus a tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        out += _encode_char_cp1258(char)
    return bytes(out)


def _encode_char_cp1258(char: str) -> bytes:
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        pass
    base, *marks = unicodedata.normalize("NFD", char)
    for i, mark in enumerate(marks):
        try:
            return unicodedata.normalize("NFC", base + mark).encode("cp1258") + "".join(
                marks[:i] + marks[i + 1:]).encode("cp1258")
        except UnicodeEncodeError:
            continue
    return unicodedata.normalize("NFD", char).encode("cp1258")


def test_utf16_with_bom(limits: Limits) -> None:
    people = customers(3, locale="ja_JP")
    data = to_csv([p.row() for p in people], delimiter="\t").encode("utf-16")
    sample = parse_sample("excel-unicode.txt", data, limits=limits)
    assert sample.fields["name"] == [p.name for p in people]


def test_truncated_csv_drops_the_cut_row(limits: Limits) -> None:
    people = customers(10)
    data = to_csv([p.row() for p in people]).encode()
    cut = data[: data.index(people[6].email.encode()) + 3]  # inside row 7's e-mail
    sample = parse_sample("a.csv", cut, limits=limits, truncated=True)
    assert sample.truncated
    assert sample.fields["email"] == [p.email for p in people[:6]]


def test_ragged_rows_are_padded_and_extra_cells_named(limits: Limits) -> None:
    data = b"name,phone\nAlice\nBob,0312345678,extra\n"
    sample = parse_sample("r.csv", data, limits=limits)
    assert sample.fields["name"] == ["Alice", "Bob"]
    assert sample.fields["phone"] == [None, "0312345678"]
    assert sample.fields["column_3"] == ["extra"]


def test_duplicate_headers_are_kept_apart(limits: Limits) -> None:
    sample = parse_sample("d.csv", b"phone,phone\n0311112222,0333334444\n", limits=limits)
    assert sample.fields == {"phone": ["0311112222"], "phone_2": ["0333334444"]}


def test_unbalanced_quote_keeps_the_rows_before_it(limits: Limits) -> None:
    good = to_csv([p.row() for p in customers(3)])
    data = (good + 'x,"unclosed,' + "y" * 200_000 + "\n").encode()
    sample = parse_sample("q.csv", data, limits=limits)
    assert sample.rows == 3
    assert sample.truncated


def test_excel_separator_line_names_the_delimiter(limits: Limits) -> None:
    people = customers(3)
    data = ("sep=;\r\n" + to_csv([p.row() for p in people], delimiter=";")).encode()
    sample = parse_sample("excel.csv", data, limits=limits)
    assert list(sample.fields) == HEADER
    assert sample.fields["phone"] == [p.phone for p in people]


def test_header_padded_with_empty_cells_is_still_a_header(limits: Limits) -> None:
    sample = parse_sample("p.csv", b"name,phone,,,\nHanako,0312345678,,,\n", limits=limits)
    assert sample.fields == {"name": ["Hanako"], "phone": ["0312345678"]}


def test_exactly_one_row_over_the_limit_is_truncated() -> None:
    people = customers(6)
    data = to_csv([p.row() for p in people], header=None).encode()
    sample = parse_sample("h.csv", data, limits=Limits(max_rows=5))
    assert (sample.rows, sample.truncated) == (5, True)


def test_utf8_with_a_stray_legacy_byte_stays_utf8(limits: Limits) -> None:
    people = customers(20, locale="ja_JP")
    text = to_csv([[p.name, p.address] for p in people], header=["氏名", "住所"])
    data = text.encode() + "caf\xe9,x\r\n".encode("cp1252")
    sample = parse_sample("mixed.csv", data, limits=limits)
    assert sample.fields["氏名"][:20] == [p.name for p in people]
    assert sample.fields["氏名"][20] == "caf\ufffd"


def test_gz_name_served_decompressed(limits: Limits) -> None:
    people = customers(2)
    sample = parse_sample("a.csv.gz", to_csv([p.row() for p in people]).encode(), limits=limits)
    assert sample.format == "csv"
    assert sample.fields["email"] == [p.email for p in people]


def test_more_bytes_than_the_limits_allow_are_cut() -> None:
    people = customers(200)
    data = to_csv([p.row() for p in people]).encode()
    sample = parse_sample("a.csv", data, limits=Limits(max_decompressed_bytes=len(data) // 2, max_rows=1000))
    assert sample.truncated
    assert 50 < sample.rows < 150
    assert sample.fields["email"] == [p.email for p in people[: sample.rows]]


@pytest.mark.parametrize(("row", "below", "expected"), [
    (["Name", "City"], [["Taro Yamada", "Tokyo"], ["Hanako Suzuki", "Osaka"]], True),
    (["customer_name", "city"], [["Taro", "Tokyo"], ["Hanako", "Osaka"]], True),
    (["氏名", "電話番号"], [["山田 太郎", "090-1234-5678"]], True),
    (["Taro Yamada", "Tokyo"], [["Hanako Suzuki", "Osaka"], ["Jiro Sato", "Nagoya"]], False),
    (["山田太郎", "東京都"], [["鈴木花子", "大阪府"], ["佐藤次郎", "愛知県"]], False),
    (["สมชาย ใจดี", "กรุงเทพ"], [["สมหญิง รักไทย", "เชียงใหม่"]], False),
])
def test_header_or_first_record_by_the_rows_below(row: list[str], below: list[list[str]], expected: bool) -> None:
    assert is_header(row, below) is expected


def test_headerless_file_of_names_does_not_turn_names_into_fields(limits: Limits) -> None:
    fake = Faker("en_US")
    fake.seed_instance(11)
    rows = [[fake.name(), fake.city()] for _ in range(10)]
    sample = parse_sample("names.csv", to_csv(rows, header=None).encode(), limits=limits)
    assert list(sample.fields) == ["column_1", "column_2"]
    assert sample.fields["column_1"] == [r[0] for r in rows]


@pytest.mark.parametrize(("row", "below", "expected"), [
    (["氏名", "都道府県"], [["山田太郎", "東京都"], ["鈴木花子", "大阪府"]], True),
    (["Name", "Town"], [["Hanako", "Nara"], ["Jiro", "Kobe"]], True),
    (["Taro Yamada", "owner", "Tokyo"], [["Hanako Suzuki", "renter", "Osaka"]], False),
    (["Taro", "owner"], [["Hanako", "owner"], ["Jiro", "renter"]], False),
])
def test_known_column_names_decide_when_shapes_do_not(row: list[str], below: list[list[str]], expected: bool) -> None:
    from cloudaudit.pii.words import header_words  # formats are handed the words, they do not import pii

    assert is_header(row, below, header_words()) is expected
    if expected:  # the same row, parsed as a CSV with the words handed over, names the columns
        data = "\n".join(",".join(r) for r in [row, *below]).encode()
        sample = parse_sample("a.csv", data, limits=Limits(), header_words=header_words())
        assert list(sample.fields) == row


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(limits: Limits, encoding: str) -> None:
    people = customers(5, locale="ja_JP")
    data = to_csv([p.row() for p in people]).encode(encoding)
    sample = parse_sample("bcp-export.csv", data, limits=limits)
    assert sample.fields["name"] == [p.name for p in people]
    assert sample.fields["phone"] == [p.phone for p in people]
    assert parse_sample("no-extension", data, limits=limits).format == "csv"


def test_title_line_above_the_header_is_text(limits: Limits) -> None:
    people = customers(5)
    data = ("顧客一覧 2024-11-01\r\n" + to_csv([p.row() for p in people])).encode()
    sample = parse_sample("export.csv", data, limits=limits)
    assert sample.fields[TEXT_FIELD] == ["顧客一覧 2024-11-01"]
    assert sample.fields["email"] == [p.email for p in people]
    assert sample.rows == 5
