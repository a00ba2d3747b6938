"""Malaysia: MyKad NRIC (birth date and birthplace code), phone numbers and plates (WXY 1234)."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength

_MY = frozenset({"MY"})
_STATE_LETTERS = frozenset("ABCDFJKMNPQRSTVW")  # the first letter is the state of registration


def _is_state_plate(text: str) -> bool:
    return text[:1] in _STATE_LETTERS


DETECTORS = (
    Detector(name="my_nric", pii_type=PiiType.NATIONAL_ID, countries=_MY, strength=Strength.STRUCTURE,
             pattern=re.compile(r"\d(?<![\d-].)\d{5}[ -]?\d{2}[ -]?\d{4}(?![\d-])"), validate=predicates.my_nric,
             context=("nric", "mykad", "ic number", "ic no", "no ic", "no kp", "kad pengenalan", "identity card"),
             min_len=12, max_len=40, min_digits=12),
    *phone_detectors("MY", min_digits=9),
    Detector(name="my_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_MY, strength=Strength.FORMAT,
             pattern=re.compile(r"(?<![\w])[A-Z]{1,3} ?\d{1,4}(?: ?[A-Z])?(?![\w])"), validate=_is_state_plate,
             min_len=3, max_len=40),
)
