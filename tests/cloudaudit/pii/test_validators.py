"""Validators: published vectors, agreement with stdnum, and junk that must not raise."""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_errors
from stdnum import luhn
from stdnum.au import tfn
from stdnum.id import nik
from stdnum.in_ import aadhaar
from stdnum.jp import in_
from stdnum.my import nric
from stdnum.th import pin

from cloudaudit.pii import predicates, shapes
from cloudaudit.pii.registry import all_detectors
from cloudaudit.pii.validators import ph_philsys, sg_nric, sg_plate, vin, vn_cccd

VALIDATOR_MODULES = ("sg_nric", "vin", "vn_cccd", "ph_philsys", "sg_plate")

# (module, number, valid?, why)
VECTORS = [
    (sg_nric, "S1234567D", True, "the example NRIC in most published descriptions of the check letter"),
    (sg_nric, "T1234567J", True, "T prefix: +4 offset"),
    (sg_nric, "F1234567N", True, "FIN series table"),
    (sg_nric, "G1234567X", True, "G prefix: FIN table with +4 offset"),
    (sg_nric, "M1234567K", True, "M series (2022): own table, +3 offset"),
    (sg_nric, "S1234567A", False, "wrong check letter"),
    (sg_nric, "X1234567D", False, "unknown prefix"),
    (sg_nric, "S123456D", False, "six digits"),
    (vin, "1M8GDM9AXKP042788", True, "Wikipedia's check-digit example (X = 10)"),
    (vin, "11111111111111111", True, "the all-ones VIN checks out"),
    (vin, "1M8GDM9A1KP042788", False, "wrong check digit"),
    (vin, "1M8GDM9AXKPO42788", False, "O is not in the VIN alphabet"),
    (vin, "1M8GDM9AXKP04278", False, "16 characters"),
    (sg_plate, "SBS 3229 P", True, "Wikipedia's example of the check letter"),
    (sg_plate, "SBA 1234 G", True, "two-letter weights on B, A"),
    (sg_plate, "E 23 H", True, "one-letter prefix counts 0 for the missing letter"),
    (sg_plate, "SBS 3229 A", False, "wrong check letter"),
    (sg_plate, "SBS 0 G", False, "number 0 is never issued"),
    (vn_cccd, "001085012345", True, "Hà Nội, male born 1985"),
    (vn_cccd, "079305123456", True, "Hồ Chí Minh City, female born 2005"),
    (vn_cccd, "003085012345", False, "003 is no province"),
    (vn_cccd, "001985012345", False, "century digit 9 + 85 = 1885: too early"),
    (vn_cccd, "001485012345", False, "born in 2185"),
    (ph_philsys, "1234-5678-9012", True, "PSN: 12 digits"),
    (ph_philsys, "1234 5678 9012 3456", True, "PCN: 16 digits"),
    (ph_philsys, "0000-0000-0000", False, "placeholder"),
    (ph_philsys, "1234-5678-901", False, "11 digits"),
]


@pytest.mark.parametrize(("module", "number", "valid", "why"), VECTORS,
                         ids=[f"{m.__name__.rsplit('.', 1)[1]}-{n}" for m, n, _, _ in VECTORS])
def test_vectors(module: object, number: str, valid: bool, why: str) -> None:
    assert module.is_valid(number) is valid, why  # type: ignore[attr-defined]
    if not valid:
        with pytest.raises(stdnum_errors.ValidationError):
            module.validate(number)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", VALIDATOR_MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"cloudaudit.pii.validators.{name}")
    flags = doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL
    result = doctest.testmod(module, optionflags=flags)
    assert result.attempted > 3
    assert result.failed == 0


@pytest.mark.parametrize("name", VALIDATOR_MODULES)
def test_modules_have_the_stdnum_api(name: str) -> None:
    module = importlib.import_module(f"cloudaudit.pii.validators.{name}")
    for function in ("compact", "validate", "is_valid", "format"):
        assert callable(getattr(module, function))
    assert module.__doc__ and ">>>" in module.__doc__


# The fast adapters call stdnum's check-digit functions on pre-compacted digits; they must
# agree with the modules' own is_valid on every input.
ADAPTERS: list[tuple[Callable[[str], bool], Callable[[str], bool]]] = [
    (predicates.jp_my_number, in_.is_valid),
    (predicates.th_pin, pin.is_valid),
    (predicates.in_aadhaar, aadhaar.is_valid),
    (predicates.au_tfn, tfn.is_valid),
    (predicates.id_nik, nik.is_valid),
    (predicates.my_nric, nric.is_valid),
]


@pytest.mark.parametrize(("adapter", "reference"), ADAPTERS, ids=lambda f: getattr(f, "__module__", "?"))
@given(number=st.text(alphabet="0123456789" * 4 + " -.*\tx", min_size=8, max_size=20))
@settings(max_examples=300, deadline=None)
def test_adapters_agree_with_stdnum(adapter: Callable[[str], bool], reference: Callable[[str], bool],
                                    number: str) -> None:
    assert adapter(number) == reference(number)


@given(number=st.text(alphabet="0123456789", min_size=13, max_size=19))
@settings(max_examples=300, deadline=None)
def test_card_check_is_luhn(number: str) -> None:
    if predicates.is_credit_card(number):
        assert luhn.is_valid(number)


def _all_predicates() -> list[tuple[str, Callable[[str], bool]]]:
    found: list[tuple[str, Callable[[str], bool]]] = []
    for detector in all_detectors():
        if detector.validate is not None:
            found.append((f"{detector.name}.validate", detector.validate))
        if detector.shape is not None:
            found.append((f"{detector.name}.shape", detector.shape))
    for name in VALIDATOR_MODULES:
        found.append((name, importlib.import_module(f"cloudaudit.pii.validators.{name}").is_valid))
    found += [("parse_date", lambda v: shapes.parse_date(v) is not None), ("is_ipv6", predicates.is_ipv6)]
    return found


JUNK = ["", " ", "-", "0", "٠١٢٣٤٥٦٧٨٩٠١", "１２３４５６７８９０１２", "\x00\x01", "💳" * 20, "a" * 5000,
        "9" * 40, "S", "(+)", "+", "++81", "::", "1..2", "年月日", "31/02/2001", "0000-00-00", "ｓ１２３４５６７Ｄ",
        "\u200b123456789012", "12 34 56 78 90 12", "None", "NaN", "-1.5e300, 2"]


@pytest.mark.parametrize(("name", "predicate"), _all_predicates(), ids=lambda v: v if isinstance(v, str) else "")
def test_robustness_against_junk(name: str, predicate: Callable[[str], bool]) -> None:
    for junk in JUNK:
        assert predicate(junk) in (True, False), (name, junk)


@given(text=st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_no_predicate_raises_on_any_text(text: str) -> None:
    for _name, predicate in _all_predicates():
        predicate(text)


@pytest.mark.parametrize(("adapter", "reference", "country"), [
    (predicates.jp_my_number, in_.is_valid, "JP"), (predicates.th_pin, pin.is_valid, "TH"),
    (predicates.in_aadhaar, aadhaar.is_valid, "IN"), (predicates.au_tfn, tfn.is_valid, "AU"),
    (predicates.id_nik, nik.is_valid, "ID"), (predicates.my_nric, nric.is_valid, "MY"),
], ids=["jp", "th", "in", "au", "id", "my"])
def test_adapters_agree_on_valid_numbers_and_decoys(adapter: Callable[[str], bool], reference: Callable[[str], bool],
                                                    country: str) -> None:
    import random

    from cloudaudit.model import PiiType
    from cloudaudit_demo import synth

    rng = random.Random(country)
    values = [synth.value(PiiType.NATIONAL_ID, country, rng) for _ in range(150)]
    decoys = [synth.decoy(PiiType.NATIONAL_ID, country, rng) for _ in range(150)]
    assert all(adapter(v) for v in values)
    assert [adapter(v) for v in decoys] == [reference(v) for v in decoys]


@given(value=st.integers(min_value=0, max_value=2**32 - 1))
@settings(max_examples=500, deadline=None)
def test_ipv4_ranges_agree_with_ipaddress(value: int) -> None:
    import ipaddress

    address = ipaddress.IPv4Address(value)
    expected = not (address.is_unspecified or address.is_loopback or address.is_link_local
                    or address.is_multicast or address.is_reserved) and not str(address).startswith("0")
    assert predicates.is_ipv4(str(address)) == expected
