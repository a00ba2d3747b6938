"""India: Aadhaar (12 digits, Verhoeff), phone numbers and plates (MH 12 AB 1234)."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength

_IN = frozenset({"IN"})
STATE_CODES = frozenset({
    "AN", "AP", "AR", "AS", "BR", "CG", "CH", "DD", "DL", "DN", "GA", "GJ", "HP", "HR", "JH", "JK", "KA", "KL", "LA",
    "LD", "MH", "ML", "MN", "MP", "MZ", "NL", "OD", "OR", "PB", "PY", "RJ", "SK", "TN", "TR", "TS", "UK", "UP", "WB",
    "BH",  # Bharat series
})


def _is_state_plate(text: str) -> bool:
    return text[:2] in STATE_CODES


DETECTORS = (
    Detector(name="in_aadhaar", pii_type=PiiType.NATIONAL_ID, countries=_IN, strength=Strength.CHECKSUM,
             pattern=re.compile(r"[2-9](?<![\d-].)(?<!\d:.)\d{3}[ :-]?\d{4}[ :-]?\d{4}(?![\d-]|:\d)"), validate=predicates.in_aadhaar,
             context=("aadhaar", "aadhar", "uid", "uidai", "आधार"), min_len=12, max_len=40, min_digits=12),
    *phone_detectors("IN", min_digits=10, bare=False),  # numbers are written without the 0 already
    Detector(name="in_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_IN, strength=Strength.STRUCTURE,
             pattern=re.compile(r"(?<![\w])[A-Z]{2}[ -]?\d{1,2}[ -]?[A-Z]{1,3}[ -]?\d{4}(?![\w])"),
             validate=_is_state_plate, min_len=8, max_len=40, min_digits=4),
)
