"""Australia: Tax File Number (weighted check), phone numbers and plates in the states' formats."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength

_AU = frozenset({"AU"})
COMPANY_NUMBER_WORDS = ("abn", "acn", "arbn", "australian business number", "australian company number",
                        "business number", "company number", "company no", "company", "pty ltd", "pty. ltd")
"""Words that name a number as a company's: before a number (or in its header) they count against a TFN."""
# NSW AB12CD, VIC 1AB2CD, QLD 123ABC, WA 1ABC234, SA S123ABC, older ABC123.
_PLATE = re.compile(r"(?<![\w-])(?:[A-Z]{2}\d{2}[ -]?[A-Z]{2}|\d[A-Z]{2}[ -]?\d[A-Z]{2}|\d{3}[ -]?[A-Z]{3}"
                    r"|1[A-Z]{3}[ -]?\d{3}|S\d{3}[ -]?[A-Z]{3}|[A-Z]{3}[ -]?\d{3})(?![\w-]|[ -]\d)")

DETECTORS = (
    # Not the tail of a longer grouped number (an ABN is 2 digits and the company's ACN, ``51 824 753 556``),
    # nor a number named as a company's (ABN, ACN): one 8- or 9-digit number in 11 passes the check.
    Detector(name="au_tfn", pii_type=PiiType.NATIONAL_ID, countries=_AU, strength=Strength.CHECKSUM,
             pattern=re.compile(r"\d(?<![\d-].)(?<!\d[ -].)\d{2}[ -]?\d{3}[ -]?\d{2,3}(?![\d-]|[ -]\d)"),
             validate=predicates.au_tfn, context=("tfn", "tax file number", "tax file no"),
             excluded_context=COMPANY_NUMBER_WORDS, min_len=8, max_len=40, min_digits=8, text_needs_context=True),
    *phone_detectors("AU", min_digits=9),
    Detector(name="au_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_AU, strength=Strength.FORMAT,
             pattern=_PLATE, min_len=6, max_len=40, min_digits=1),
)
