"""Synthetic values are valid by the same validators the detectors use; decoys are not."""

from __future__ import annotations

import random
from collections.abc import Callable

import phonenumbers
import pytest
from stdnum.au import tfn
from stdnum.id import nik
from stdnum.in_ import aadhaar
from stdnum.jp import in_
from stdnum.my import nric
from stdnum.th import pin

from cloudaudit.model import PiiType
from cloudaudit.pii.validators import ph_philsys, sg_nric, sg_plate, vin, vn_cccd
from cloudaudit_demo import synth

NATIONAL_ID_VALIDATORS: dict[str, Callable[[str], bool]] = {
    "JP": in_.is_valid, "TH": pin.is_valid, "ID": nik.is_valid, "MY": nric.is_valid, "IN": aadhaar.is_valid,
    "AU": tfn.is_valid, "SG": sg_nric.is_valid, "VN": vn_cccd.is_valid, "PH": ph_philsys.is_valid,
}


@pytest.mark.parametrize("country", synth.COUNTRIES)
def test_national_ids_validate_and_decoys_do_not(country: str) -> None:
    rng = random.Random(country)
    is_valid = NATIONAL_ID_VALIDATORS[country]
    for _ in range(200):
        assert is_valid(synth.value(PiiType.NATIONAL_ID, country, rng))
        assert not is_valid(synth.decoy(PiiType.NATIONAL_ID, country, rng))


@pytest.mark.parametrize("country", synth.COUNTRIES)
def test_vins_phones_and_cards(country: str) -> None:
    from stdnum import luhn

    rng = random.Random(f"{country}-contact")
    for _ in range(50):
        assert vin.is_valid(synth.value(PiiType.VIN, country, rng))
        assert not vin.is_valid(synth.decoy(PiiType.VIN, country, rng))
        phone = phonenumbers.parse(synth.value(PiiType.PHONE_NUMBER, country, rng), country)
        assert phonenumbers.is_valid_number(phone)
        decoy = phonenumbers.parse(synth.decoy(PiiType.PHONE_NUMBER, country, rng), country)
        assert not phonenumbers.is_valid_number(decoy)
        card = synth.value(PiiType.CREDIT_CARD, country, rng).replace(" ", "").replace("-", "")
        assert luhn.is_valid(card)
        assert not luhn.is_valid(synth.decoy(PiiType.CREDIT_CARD, country, rng))


def test_sg_plates_carry_their_check_letter() -> None:
    rng = random.Random(7)
    for _ in range(100):
        assert sg_plate.is_valid(synth.value(PiiType.VEHICLE_REGISTRATION, "SG", rng))
        assert not sg_plate.is_valid(synth.decoy(PiiType.VEHICLE_REGISTRATION, "SG", rng))


@pytest.mark.parametrize("country", synth.COUNTRIES)
def test_record_is_seeded_and_complete(country: str) -> None:
    first = synth.record(country, random.Random(42))
    again = synth.record(country, random.Random(42))
    other = synth.record(country, random.Random(43))
    assert tuple(first) == synth.RECORD_KEYS
    assert first == again
    assert first != other
    assert all(v.strip() for v in first.values())
