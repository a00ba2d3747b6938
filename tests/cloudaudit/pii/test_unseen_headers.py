"""Headers written by people we never met: abbreviations, other languages, other word orders.

Each row says why it is here. Values are synthetic and valid; the header is the only context.
"""

from __future__ import annotations

import random

import pytest

from cloudaudit.model import PiiType
from cloudaudit.pii import detect_field
from cloudaudit_demo import synth

T = PiiType
CASES = [
    ("D.O.B", "IN", T.DATE_OF_BIRTH, "dotted initials are one word, not a key path"),
    ("N.R.I.C. No", "SG", T.NATIONAL_ID, "dotted initials followed by a word"),
    ("Owner", "AU", T.PERSON_NAME, "a vehicle owner's name under a one-word header"),
    ("Rego", "AU", T.VEHICLE_REGISTRATION, "Australian slang for a registration"),
    ("No KP", "MY", T.NATIONAL_ID, "Malay abbreviation of kad pengenalan"),
    ("Tarikh Lahir", "MY", T.DATE_OF_BIRTH, "Malay for date of birth"),
    ("Biển số xe", "VN", T.VEHICLE_REGISTRATION, "Vietnamese for licence plate"),
    ("Địa chỉ thường trú", "VN", T.ADDRESS, "Vietnamese: permanent address"),
    ("ชื่อ-นามสกุล", "TH", T.PERSON_NAME, "Thai: first name-last name"),
    ("Chassis No", "AU", T.VIN, "a VIN under its workshop name"),
    ("PhilSys Number", "PH", T.NATIONAL_ID, "PhilSys has no check digit: the header decides"),
]


@pytest.mark.parametrize(("header", "country", "pii_type", "why"), CASES, ids=[c[0] for c in CASES])
def test_header_and_values_are_recognised(header: str, country: str, pii_type: PiiType, why: str) -> None:
    rng = random.Random(header)
    values: list[str | None] = [synth.value(pii_type, country, rng) for _ in range(25)]
    result = detect_field(header, values, country)
    assert pii_type in result.pii_types, why


def test_an_unrelated_dotted_path_is_not_a_date_of_birth() -> None:
    rng = random.Random(1)
    values: list[str | None] = [str(rng.randrange(1, 500)) for _ in range(25)]
    assert detect_field("order.d.o.b", values, "IN").pii_types == ()


@pytest.mark.parametrize(("country", "values"), [
    ("KR", ["010-1234-5678", "010-9876-5432", "02-312-3456", "031-123-4567"]),
    ("GB", ["07911 123456", "07400 123457", "020 7946 0018", "0161 496 0123"]),
    ("US", ["(415) 555-2671", "212-555-0188", "(312) 555-0147", "646-555-0123"]),
])
def test_phones_of_a_country_without_its_own_detectors(country: str, values: list[str]) -> None:
    """phonenumbers knows every numbering plan: national numbers count in any country."""
    result = detect_field("contact", list(values), country)
    assert PiiType.PHONE_NUMBER in result.pii_types


@pytest.mark.parametrize("country", ["KR", "US", "GB"])
def test_random_digits_are_not_phones_of_a_country_without_detectors(country: str) -> None:
    rng = random.Random(7)
    values: list[str | None] = [str(rng.randrange(10**9, 10**11)) for _ in range(40)]
    assert PiiType.PHONE_NUMBER not in detect_field("amount", values, country).pii_types
