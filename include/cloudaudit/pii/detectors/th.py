"""Thailand: national PIN (13 digits, mod 11), phone numbers and vehicle plates (กข 1234 กรุงเทพมหานคร)."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength

_TH = frozenset({"TH"})
# An optional series digit, one or two consonants, up to four digits, optionally the province.
_PLATE = re.compile(r"(?<![\u0e00-\u0e7f\w])\d?[ก-ฮ]{1,2}[ -]?\d{1,4}(?:\s+[ก-๛]{3,})?(?![\d])")

DETECTORS = (
    Detector(name="th_pin", pii_type=PiiType.NATIONAL_ID, countries=_TH, strength=Strength.CHECKSUM,
             # 13 digits grouped any way (``1 2345 67890 12 3``, ``3  91 05 00  3    92 03 6``): runs of spaces or a dash.
             pattern=re.compile(r"[1-8](?<![\d-].)(?:(?: {1,6}|-)?\d){12}(?![\d-]| +\d)"),
             validate=predicates.th_pin, min_len=13, max_len=40, min_digits=13,
             context=("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "บัตรประชาชน", "citizen id", "thai id", "pin")),
    *phone_detectors("TH", min_digits=9),
    Detector(name="th_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_TH, strength=Strength.FORMAT,
             pattern=_PLATE, min_len=3, max_len=60),
)
