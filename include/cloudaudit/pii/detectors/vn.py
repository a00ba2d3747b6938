"""Vietnam: CCCD citizen ID (province code, century-and-sex digit, birth year), phones and plates (51A-123.45)."""

from __future__ import annotations

import re

from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength
from cloudaudit.pii.validators import vn_cccd

_VN = frozenset({"VN"})


def _is_province_plate(text: str) -> bool:
    """Plates start with the province code, 11 to 99."""
    return text[:2].isascii() and text[:2].isdigit() and 11 <= int(text[:2]) <= 99


DETECTORS = (
    Detector(name="vn_cccd", pii_type=PiiType.NATIONAL_ID, countries=_VN, strength=Strength.STRUCTURE,
             pattern=re.compile(r"\d(?<![\d-].)\d{2}[ .-]?\d[ .-]?\d{2}[ .-]?\d{6}(?![\d-])"), validate=vn_cccd.is_valid,
             context=("cccd", "căn cước", "can cuoc", "cmnd", "chứng minh", "số định danh", "citizen id"),
             min_len=12, max_len=40, min_digits=12),
    *phone_detectors("VN", min_digits=9),
    Detector(name="vn_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_VN, strength=Strength.STRUCTURE,
             pattern=re.compile(r"(?<![\w.])\d{2}[A-Z][A-Z0-9]?[ -](?:\d{3}\.\d{2}|\d{4,5})(?![\w.])"),
             validate=_is_province_plate, min_len=8, max_len=40, min_digits=3),
)
