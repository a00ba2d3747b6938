"""Indonesia: NIK (16 digits: region code and birth date), phone numbers and plates (B 1234 ABC)."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength

_ID = frozenset({"ID"})
# Registration area codes (kode wilayah) of the plates in use.
AREA_CODES = frozenset({
    "A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z", "AA", "AB", "AD", "AE",
    "AG", "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BP", "DA", "DB", "DC", "DD", "DE", "DG", "DH",
    "DK", "DL", "DM", "DN", "DR", "DS", "DT", "EA", "EB", "ED", "KB", "KH", "KT", "KU", "PA", "PB",
})
_PLATE = re.compile(r"(?<![\w])([A-Z]{1,2}) \d{1,4} [A-Z]{1,3}(?![\w])")


def _is_area_plate(text: str) -> bool:
    """The plate starts with a known registration area code."""
    return text.split(" ", 1)[0] in AREA_CODES


DETECTORS = (
    Detector(name="id_nik", pii_type=PiiType.NATIONAL_ID, countries=_ID, strength=Strength.STRUCTURE,
             pattern=re.compile(r"\d(?<![\d-].)\d{5}[ .-]?\d{6}[ .-]?\d{4}(?![\d-])"), validate=predicates.id_nik,
             context=("nik", "ktp", "e ktp", "nomor induk kependudukan", "no ktp"), min_len=16, max_len=40, min_digits=16),
    *phone_detectors("ID", min_digits=9),
    Detector(name="id_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_ID, strength=Strength.FORMAT,
             pattern=_PLATE, validate=_is_area_plate, min_len=5, max_len=40),
)
