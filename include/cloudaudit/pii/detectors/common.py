"""Global detectors: e-mail, IP addresses, coordinates, cards, VINs, international phone numbers,
and the context-only types (names, addresses, dates of birth)."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates, shapes
from cloudaudit.pii.types import Detector, PiiType, Strength

# 17 characters of the VIN alphabet between word boundaries (the bound is checked after the
# first character: a leading look-behind would slow the scan of every position).
_VIN = re.compile(r"[A-HJ-NPR-Za-hj-npr-z0-9](?<![A-Za-z0-9].)[A-HJ-NPR-Za-hj-npr-z0-9]{16}(?![A-Za-z0-9])")

# The domain may be internationalised: labels in any script or punycode (``xn--p1ai``), a top-level
# domain in ASCII letters, punycode, or letters of another script (``.рф``, ``.中国``). An ASCII one
# ends at the first non-ASCII letter (``taro@example.jpです``).
_EMAIL = re.compile(r"[A-Za-z0-9](?<![\w.%+-].)[A-Za-z0-9._%+-]{0,63}@[^\W_][\w-]*(?:\.[^\W_][\w-]*)*"
                    r"\.(?:[A-Za-z]{2,24}(?![A-Za-z0-9_-])|xn--[A-Za-z0-9-]{2,59}(?![\w-])"
                    r"|[^\W\d_A-Za-z]{2,24}(?![\w-]))")

DETECTORS = (
    Detector(name="email", pii_type=PiiType.EMAIL_ADDRESS, strength=Strength.STRUCTURE, min_digits=0,
             needs_char="@", pattern=_EMAIL, min_len=6),
    Detector(name="ipv4", pii_type=PiiType.IP_ADDRESS, strength=Strength.STRUCTURE, min_len=7, max_len=60,
             min_digits=4, needs_char=".", excluded_context=("version", "ver", "build", "firmware", "バージョン"),
             pattern=re.compile(r"\d(?<![\w.].)\d{0,2}(?:\.\d{1,3}){3}(?!\w|\.\w)"),  # a full stop may end it
             validate=predicates.is_ipv4),
    Detector(name="ipv6", pii_type=PiiType.IP_ADDRESS, strength=Strength.STRUCTURE, min_len=6, needs_char=":",
             # The last 32 bits may be a dotted quad (``::ffff:192.0.2.1``); hex groups never run into one.
             pattern=re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})"
                                r"(?![\w:]|\.\w)"),
             validate=predicates.is_ipv6),
    Detector(name="geo_pair", pii_type=PiiType.GEO_LOCATION, strength=Strength.STRUCTURE, min_len=9,
             min_digits=4, needs_char=".",
             pattern=re.compile(r"(?<![\w.-])-?\d{1,2}\.\d{3,}\s*[,; ]\s*-?\d{1,3}\.\d{3,}(?![\w.])"),
             validate=predicates.is_coordinate_pair),
    Detector(name="geo_coordinate", pii_type=PiiType.GEO_LOCATION, strength=Strength.CONTEXT, needs_context=True,
             min_len=5, max_len=20, min_digits=4, needs_char=".",
             pattern=re.compile(r"(?<![\w.-])-?\d{1,3}\.\d{3,}(?![\w.])"),
             validate=predicates.is_coordinate),
    Detector(name="credit_card", pii_type=PiiType.CREDIT_CARD, strength=Strength.CHECKSUM, min_len=13, min_digits=13,
             pattern=re.compile(r"\d(?<![\d.-].)\d{3}[ -]?\d{4,6}[ -]?\d{4,5}(?:[ -]?\d{1,4})?(?![\d.-])"),
             validate=predicates.is_credit_card),
    Detector(name="vin", pii_type=PiiType.VIN, strength=Strength.CHECKSUM, min_len=17,
             pattern=_VIN, validate=predicates.is_vin),
    # Outside North America and China the check position is optional: structure plus context.
    Detector(name="vin_unchecked", pii_type=PiiType.VIN, strength=Strength.FORMAT, needs_context=True, min_len=17,
             pattern=_VIN, validate=predicates.is_vin_structure),
    Detector(name="phone_international", pii_type=PiiType.PHONE_NUMBER, strength=Strength.STRUCTURE, min_len=8,
             min_digits=7, needs_char="+",
             pattern=re.compile(r"\+(?<![\w+].)\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,5}){1,4}(?![\w])"),
             validate=predicates.is_international_phone),
    Detector(name="person_name", pii_type=PiiType.PERSON_NAME, strength=Strength.CONTEXT, needs_context=True,
             shape=shapes.is_person_name, min_digits=0, min_len=2, max_len=60),
    Detector(name="address", pii_type=PiiType.ADDRESS, strength=Strength.CONTEXT, needs_context=True,
             shape=shapes.is_address, min_digits=0, min_len=6, max_len=250),
    # Dates of birth are found as dates (many formats) and counted only under a birth-date
    # header or right after a birth-date word in text: most dates in data are not birthdays.
    Detector(name="date_of_birth", pii_type=PiiType.DATE_OF_BIRTH, strength=Strength.CONTEXT, needs_context=True,
             pattern=shapes.DATE_SPAN, validate=shapes.is_birth_date, min_len=6, max_len=40, min_digits=2),
)
