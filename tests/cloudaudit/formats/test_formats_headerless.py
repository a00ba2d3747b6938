"""A headerless CSV whose first row is personal data: that row is data, never field names."""

from __future__ import annotations

import random
import unicodedata

import pytest

from cloudaudit.config import Limits
from cloudaudit.formats.detectors import using_detectors
from cloudaudit.formats.header import is_header
from cloudaudit.model import PiiType
from cloudaudit.pii.field_names import name_detectors
from cloudaudit.sampling import parse_bytes
from cloudaudit_demo import synth
from tests.cloudaudit.formats.formatfactory import to_csv

COUNTRIES = ("JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU")
# Columns of one record each, as a headerless export might hold them.
LAYOUTS = {
    "name_city": (PiiType.PERSON_NAME, PiiType.ADDRESS),
    "name_plate": (PiiType.PERSON_NAME, PiiType.VEHICLE_REGISTRATION),
    "name_only": (PiiType.PERSON_NAME,),
    "plate_name": (PiiType.VEHICLE_REGISTRATION, PiiType.PERSON_NAME),
}


def _rows(country: str, layout: tuple[PiiType, ...], count: int, seed: int) -> list[list[str]]:
    rng = random.Random(f"{country}-{seed}")
    return [[synth.value(pii_type, country, rng) for pii_type in layout] for _ in range(count)]


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("count", [1, 2, 3, 6, 12])
def test_first_row_of_personal_data_is_read_as_data(country: str, layout: str, count: int, limits: Limits) -> None:
    for seed in range(3):
        rows = _rows(country, LAYOUTS[layout], count, seed)
        sample = parse_bytes("dump.csv", to_csv(rows, header=None).encode(), limits=limits)  # as extracted
        assert list(sample.fields) == [f"column_{n}" for n in range(1, len(rows[0]) + 1)], seed
        assert sample.rows == count
        assert sample.fields["column_1"] == [unicodedata.normalize("NFC", row[0]) for row in rows]  # read composed


@pytest.mark.parametrize(("row", "below", "expected"), [
    (["Quarterly", "Summary"], [["Widget", "Tools"]], False),  # no evidence either way: data costs a name only
    (["sku", "price"], [["W-1", "12.50"]], True),  # a word over numbers names its column
    (["city", "ward"], [["Tokyo", "Minato"]], True),  # lower case over capitalised values
    (["Dr. John Smith MD", "Springfield"], [["Mary Jones", "Shelbyville"]], False),
    (["taro@example.com"], [["hanako@example.com"]], False),
])
def test_a_header_needs_evidence(row: list[str], below: list[list[str]], expected: bool) -> None:
    assert is_header(row, below) is expected


@pytest.mark.parametrize("country", ["TH", "MY", "AU"])
def test_a_row_a_detector_accepts_is_never_a_header(country: str) -> None:
    # Plates with fewer than three digits (บค 71 สงขลา, WAF 32, 8QA 9PW) pass the lexical test.
    rng = random.Random(f"plates-{country}")
    plates = [synth.value(PiiType.VEHICLE_REGISTRATION, country, rng) for _ in range(400)]
    short = [plate for plate in plates if sum(char.isdigit() for char in plate) < 3]
    assert short
    with using_detectors(name_detectors()):  # as the extract path hands them in
        for plate in short:
            assert not is_header(["customer_name", plate], [["x", "y"]]), plate
