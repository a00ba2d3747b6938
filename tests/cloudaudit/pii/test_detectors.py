"""Per-detector tables: a column of one value in an environment, and whether the detector fires.

Published test numbers where they exist (stdnum's doctests, card networks' test numbers,
Wikipedia's examples); each row says why it is there.
"""

from __future__ import annotations

import pytest

from cloudaudit.model import PiiType
from cloudaudit.pii import detect_field

# (detector, country, header, value, fires, why)
TABLE = [
    ("jp_my_number", "JP", "column_1", "123456789018", True, "stdnum doctest number"),
    ("jp_my_number", "JP", "column_1", "1234 5678 9018", True, "grouped by four"),
    ("jp_my_number", "JP", "column_1", "123456789013", False, "wrong check digit"),
    ("jp_phone", "JP", "column_1", "090-1234-5678", True, "mobile, national format"),
    ("jp_phone", "JP", "column_1", "03-1234-5678", True, "Tokyo landline"),
    ("jp_phone", "JP", "column_1", "+81 90-1234-5678", True, "international format"),
    ("jp_phone", "JP", "column_1", "9012345678", False, "no trunk prefix: most likely just a number"),
    ("jp_plate", "JP", "column_1", "品川 300 さ 12-34", True, "the SPEC's example"),
    ("jp_plate", "JP", "column_1", "なにわ 500 あ ・・12", True, "kana region, dotted short number"),
    ("jp_plate", "JP", "column_1", "品川 300 ん 12-34", False, "ん is never used on plates"),
    ("th_pin", "TH", "column_1", "3100600445635", True, "stdnum doctest number"),
    ("th_pin", "TH", "column_1", "1-2345-45678-78-1", True, "stdnum doctest, grouped"),
    ("th_pin", "TH", "column_1", "1-2345-45678-78-9", False, "stdnum doctest: wrong check digit"),
    ("th_phone", "TH", "column_1", "081 234 5678", True, "mobile"),
    ("th_plate", "TH", "column_1", "กข 1234 กรุงเทพมหานคร", True, "the SPEC's example"),
    ("th_plate", "TH", "column_1", "1กข 234", True, "series digit first"),
    ("vn_cccd", "VN", "column_1", "001085012345", True, "Hà Nội, 1985"),
    ("vn_cccd", "VN", "column_1", "003085012345", False, "no province 003"),
    ("vn_plate", "VN", "column_1", "51A-123.45", True, "the SPEC's example"),
    ("vn_plate", "VN", "column_1", "29B1-23456", True, "motorbike series"),
    ("vn_plate", "VN", "column_1", "05A-123.45", False, "no province 05"),
    ("vn_phone", "VN", "column_1", "0912 345 678", True, "mobile"),
    ("id_nik", "ID", "column_1", "3171011708450001", True, "stdnum doctest: born 17 Aug 1945"),
    ("id_nik", "ID", "column_1", "9971011708450001", False, "stdnum doctest: unknown province"),
    ("id_nik", "ID", "column_1", "3171013002001234", False, "stdnum doctest: 30 February"),
    ("id_plate", "ID", "column_1", "B 1234 ABC", True, "the SPEC's example (Jakarta)"),
    ("id_plate", "ID", "column_1", "X 1234 ABC", False, "no area X"),
    ("id_phone", "ID", "column_1", "0812-3456-7890", True, "Telkomsel mobile"),
    ("ph_philsys", "PH", "philsys_no", "1234-5678-9012", True, "PSN under its name"),
    ("ph_philsys", "PH", "column_1", "1234-5678-9012", False, "no check digit: a bare number is not enough"),
    ("ph_plate", "PH", "plate_no", "NAA 1234", True, "the SPEC's example"),
    ("ph_phone", "PH", "column_1", "0917 123 4567", True, "Globe mobile"),
    ("my_nric", "MY", "column_1", "770305-02-1234", True, "stdnum doctest number"),
    ("my_nric", "MY", "column_1", "771305-02-1234", False, "month 13"),
    ("my_plate", "MY", "plate", "WXY 1234", True, "the SPEC's example"),
    ("my_phone", "MY", "column_1", "012-345 6789", True, "mobile"),
    ("sg_nric_fin", "SG", "column_1", "S1234567D", True, "published example"),
    ("sg_nric_fin", "SG", "column_1", "S1234567A", False, "wrong check letter"),
    ("sg_plate", "SG", "column_1", "SBS 3229 P", True, "Wikipedia's check-letter example"),
    ("sg_plate", "SG", "column_1", "SBS 3229 A", False, "wrong check letter"),
    ("sg_phone", "SG", "column_1", "9123 4567", True, "mobile, no trunk prefix in Singapore"),
    ("in_aadhaar", "IN", "column_1", "234123412346", True, "stdnum doctest number"),
    ("in_aadhaar", "IN", "column_1", "234123412347", False, "Verhoeff check fails"),
    ("in_aadhaar", "IN", "column_1", "123412341234", False, "cannot start with 1"),
    ("in_plate", "IN", "column_1", "MH 12 AB 1234", True, "the SPEC's example"),
    ("in_plate", "IN", "column_1", "XX 12 AB 1234", False, "no state XX"),
    ("in_phone", "IN", "column_1", "98765 43210", True, "mobile without trunk prefix"),
    ("au_tfn", "AU", "column_1", "123 456 782", True, "stdnum doctest number"),
    ("au_tfn", "AU", "column_1", "999 999 999", False, "stdnum doctest: bad check"),
    ("au_plate", "AU", "rego", "1AB 2CD", True, "Victoria"),
    ("au_plate", "AU", "rego", "AB12CD", True, "New South Wales"),
    ("au_phone", "AU", "column_1", "0412 345 678", True, "mobile"),
    ("au_phone", "AU", "column_1", "(02) 9876 5432", True, "Sydney landline"),
    ("credit_card", "SG", "column_1", "4111 1111 1111 1111", True, "Visa test number"),
    ("credit_card", "SG", "column_1", "5555555555554444", True, "Mastercard test number"),
    ("credit_card", "SG", "column_1", "378282246310005", True, "American Express test number"),
    ("credit_card", "JP", "column_1", "3530111333300000", True, "JCB test number"),
    ("credit_card", "SG", "column_1", "4111 1111 1111 1112", False, "Luhn fails"),
    ("credit_card", "SG", "column_1", "9111 1111 1111 1111", False, "no card brand starts with 9"),
    ("vin", "AU", "column_1", "1M8GDM9AXKP042788", True, "Wikipedia's check-digit example"),
    ("vin", "AU", "column_1", "1M8GDM9A1KP042788", False, "wrong check digit"),
    ("vin_unchecked", "JP", "vin", "JTDBT923X71234567", True, "non-NA VIN, check position unused: header"),
    ("vin_unchecked", "JP", "column_1", "JTDBT923X71234567", False, "same without the header"),
    ("email", "TH", "column_1", "somchai.j@example.co.th", True, "plain address"),
    ("email", "TH", "column_1", "somchai.j@localhost", False, "no top-level domain"),
    ("ipv4", "VN", "column_1", "203.113.131.1", True, "public IPv4"),
    ("ipv4", "VN", "column_1", "256.1.1.1", False, "octet out of range"),
    ("ipv6", "VN", "column_1", "2001:db8:85a3::8a2e:370:7334", True, "compressed IPv6"),
    ("ipv6", "VN", "column_1", "12:30:45", False, "a time of day"),
    ("geo_pair", "JP", "column_1", "35.681236, 139.767125", True, "Tokyo station"),
    ("geo_pair", "JP", "column_1", "95.681236, 139.767125", False, "latitude out of range"),
    ("geo_coordinate", "JP", "latitude", "35.681236", True, "one coordinate under its name"),
    ("geo_coordinate", "JP", "price", "35.681236", False, "a decimal without context"),
    ("phone_international", "AU", "column_1", "+65 9123 4567", True, "a Singapore mobile in Australia"),
    ("phone_international", "AU", "column_1", "+62 (021) 5790 1234", True, "Jakarta, trunk zero kept after +62"),
    ("phone_international", "AU", "column_1", "+39 06 6982 1234", True, "Rome: Italy's leading zero is the number's"),
    ("phone_international", "AU", "column_1", "+62 (008) 434-4364", False, "zero kept, but no Indonesian number"),
    ("person_name", "JP", "氏名", "山田 太郎", True, "kanji name under 氏名"),
    ("person_name", "TH", "ชื่อ", "สมชาย ใจดี", True, "Thai name under ชื่อ"),
    ("person_name", "VN", "họ tên", "Nguyễn Văn An", True, "Vietnamese name"),
    ("person_name", "MY", "nama", "Ahmad bin Ismail", True, "Malay patronymic"),
    ("person_name", "JP", "氏名", "12345", False, "digits are no name"),
    ("person_name", "SG", "customer_name", "Tan Logistics Pte Ltd", False, "a company is not a person"),
    ("person_name", "JP", "契約者_name", "株式会社トヨタ", False, "a company is not a person"),
    ("person_name", "ID", "nama", "PT Astra International Tbk", False, "a company is not a person"),
    ("person_name", "ID", "nama", "Puti Rahmi Januar, S.Pt", True, "an academic title is not a company form"),
    ("address", "ID", "alamat", "Jl. Merdeka No. 5, Bandung", True, "Indonesian street address"),
    ("address", "TH", "ที่อยู่", "99/1 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110", True, "Bangkok"),
    ("address", "JP", "メールアドレス", "taro@example.jp", False, "an e-mail address is not an address"),
    ("date_of_birth", "JP", "生年月日", "昭和60年3月2日", True, "Japanese era date"),
    ("date_of_birth", "TH", "วันเกิด", "02/03/2528", True, "Thai Buddhist Era year"),
    ("date_of_birth", "VN", "ngày sinh", "ngày 2 tháng 3 năm 1985", True, "Vietnamese long form"),
    ("date_of_birth", "JP", "生年月日", "2999-01-01", False, "born in the future"),
]


def _bare_phone(country: str) -> str:
    """A valid national number of the country without its leading zero (not a phone as written)."""
    import random

    from cloudaudit.pii import predicates
    from cloudaudit_demo import synth

    written, bare = predicates.phone_validator(country), predicates.phone_validator(country, bare=True)
    rng = random.Random(country)
    while True:
        value = synth.value(PiiType.PHONE_NUMBER, country, rng)
        digits = "".join(c for c in value if c.isdigit()).removeprefix("0")
        if value.startswith("0") and bare(digits) and not written(digits):
            return digits


TABLE += [(f"{cc.lower()}_phone_bare", cc, header, _bare_phone(cc), fires, why)
          for cc in ("JP", "TH", "VN", "ID", "PH", "MY", "AU")
          for header, fires, why in (("phone", True, "leading zero lost, under a phone header"),
                                     ("column_1", False, "leading zero lost, no header: just digits"))]


@pytest.mark.parametrize(("detector", "country", "header", "value", "fires", "why"), TABLE,
                         ids=[f"{row[0]}-{row[3]}" for row in TABLE])
def test_detector_table(detector: str, country: str, header: str, value: str, fires: bool, why: str) -> None:
    result = detect_field(header, [value] * 10, country)
    fired = {name for match in result.pii for name in match.detectors}
    assert (detector in fired) is fires, why


def test_every_type_has_a_row() -> None:
    from cloudaudit.pii.registry import all_detectors

    tested = {row[0] for row in TABLE}
    by_name = {d.name: d.pii_type for d in all_detectors()}
    assert {by_name[name] for name in tested} == set(PiiType)
    assert tested == set(by_name), set(by_name) - tested


TEXT_ROWS = [row for row in TABLE if row[4]]


@pytest.mark.parametrize(("detector", "country", "header", "value", "fires", "why"), TEXT_ROWS,
                         ids=[f"{row[0]}-{row[3]}" for row in TEXT_ROWS])
def test_detector_in_a_sentence(detector: str, country: str, header: str, value: str, fires: bool, why: str) -> None:
    """What a detector finds in a column it also finds in prose, after its header as a label.

    Weak formats (plates without a check letter) and short checksums (TFN) need a word that
    names them in prose too.
    """
    from cloudaudit.pii import words
    from cloudaudit.pii.registry import all_detectors
    from cloudaudit.pii.spans import find_spans
    from cloudaudit.pii.types import Strength

    declared = next(d for d in all_detectors() if d.name == detector)
    label = "" if header.startswith("column_") else f"{header}: "
    if not label and (declared.strength < Strength.STRUCTURE or declared.text_needs_context):
        label = f"{(declared.context or words.BY_TYPE[declared.pii_type])[0]} "
    text = f"Serviced the car on Monday. {label}{value}; next visit in 6 months."
    assert detector in {span.detector.name for span in find_spans(text, country)}, why
