"""Patterns shared by several country modules."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.types import Detector, PiiType, Strength

NATIONAL_PHONE = re.compile(r"[+(\d](?<![\w+.\-/].)\(?\d[\d ().\-]{5,16}\d(?![\w.\-/])")
"""Digits with the separators people write (``090-1234-5678``, ``(02) 9876 5432``); phonenumbers decides.
A leading ``+`` is kept so that the same detector also takes the country's numbers written internationally."""


def phone_detectors(country: str, min_digits: int = 9, bare: bool = True) -> tuple[Detector, ...]:
    """The country's phone numbers as written (nationally, or with ``+`` and its country code)
    and, under a phone header only, without the trunk prefix (spreadsheets drop leading zeros;
    ``bare=False`` where the country has none)."""
    countries = frozenset({country})
    code = country.lower()
    written = Detector(name=f"{code}_phone", pii_type=PiiType.PHONE_NUMBER, countries=countries,
                       pattern=NATIONAL_PHONE, validate=predicates.phone_validator(country), min_share=0.6,
                       min_len=min_digits, max_len=40, min_digits=min_digits)
    if not bare:
        return (written,)
    return written, Detector(
        name=f"{code}_phone_bare", pii_type=PiiType.PHONE_NUMBER, countries=countries, strength=Strength.FORMAT,
        needs_context=True, pattern=NATIONAL_PHONE, validate=predicates.phone_validator(country, bare=True),
        min_len=min_digits - 1, max_len=40, min_digits=min_digits - 1)
