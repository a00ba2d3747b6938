"""Small validation predicates the detectors bind: phone plans, IP ranges, coordinates, card IINs.

The checks themselves come from phonenumbers, ipaddress and stdnum; what lives here is the
glue (a fast path into phonenumbers, the card brand prefixes, the coordinate ranges).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable

import phonenumbers
from stdnum import luhn

_NON_DIGITS = re.compile(r"\D")


def digits(text: str) -> str:
    """The ASCII digits of ``text``."""
    return _NON_DIGITS.sub("", text)


_TRUNK_OPTIONAL = frozenset({"IN"})
_MOBILE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


@functools.lru_cache(maxsize=32)
def phone_validator(region: str, bare: bool = False) -> Callable[[str], bool]:
    """A predicate: is the text a valid phone number of ``region`` (or any ``+`` number)?

    National numbers skip ``phonenumbers.parse`` (about 28 µs): the trunk prefix is dropped
    and the number built directly, then ``is_valid_number`` decides (about 4 µs). Where the
    country writes national numbers with a trunk prefix (``0`` in JP, TH, VN, ID, PH, MY,
    AU) a number without it is not taken for a phone: most random digit strings lack it.
    India writes mobiles without it (so without it only a mobile counts); Singapore has none;
    NANP's trunk "1" is optional.
    ``bare`` accepts any valid national number with or without it (spreadsheets drop the
    leading zero): for columns whose header says they hold phone numbers.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    country_code = phonenumbers.country_code_for_region(region)
    trunk = (metadata.national_prefix or "") if metadata else ""
    # A trunk "0" is written with national numbers; other trunk prefixes (NANP's "1") rarely are.
    trunk_required = trunk == "0" and region not in _TRUNK_OPTIONAL and not bare
    prefix = str(country_code)

    def is_valid(text: str) -> bool:
        text = text.strip()
        if text.startswith("+"):  # the country's own numbers only; others are phone_international's
            return digits(text).startswith(prefix) and is_international_phone(text)
        number = digits(text)
        mobile_only = False
        if trunk and number.startswith(trunk):
            number = number[len(trunk):]
        elif trunk and trunk_required:
            return False
        elif region in _TRUNK_OPTIONAL and not bare:  # India without the 0: only mobiles are written so
            mobile_only = True
        if not 6 <= len(number) <= 13 or number.startswith("0"):
            return False
        parsed = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(number))
        if mobile_only:
            return phonenumbers.number_type(parsed) in _MOBILE
        return bool(phonenumbers.is_valid_number_for_region(parsed, region))

    return is_valid


def is_international_phone(text: str) -> bool:
    """A ``+``-prefixed number valid in its country's numbering plan.

    Country codes are prefix-free, so the first 1 to 3 digits that name one are it (as in
    ``phonenumbers.parse``, without its 28 µs of normalisation); ``+81 (0)90`` drops the ``(0)``.
    A national part written with its leading zero (``+62 (0549) 779-3060``, a common habit, or
    Italy's ``+39 06``) goes through ``phonenumbers.parse``, which knows per country whether
    that zero is a trunk prefix to drop or part of the number.
    """
    text = text.strip().replace("(0)", "")
    if not text.startswith("+"):
        return False
    number = digits(text)
    for size in (1, 2, 3):
        country_code = int(number[:size] or "0")
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = number[size:]
            if not 4 <= len(national) <= 14:
                return False
            if national.startswith("0"):
                return _parses_valid(text)
            parsed = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
            return bool(phonenumbers.is_valid_number(parsed))
    return False


def _parses_valid(text: str) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(text, None)))
    except phonenumbers.NumberParseException:
        return False


def _card_brand_known(number: str) -> bool:
    """The IIN ranges and lengths of a brand, from pydantic-extra-types' maintained table
    (``PaymentCardNumber.validate_brand``: Visa, Mastercard, Amex, Mir, Maestro, Discover,
    Verve, Dankort, Troy, UnionPay, JCB, Diners Club; pinned via FastAPI), plus UATP, which
    it lacks: IIN ``1``, 15 digits (Wikipedia, "Payment card number", IIN table, as read on
    2026-12-04)."""
    from pydantic_extra_types.payment import PaymentCardBrand, PaymentCardNumber

    if number.startswith("1"):
        return len(number) == 15
    try:
        return PaymentCardNumber.validate_brand(number) is not PaymentCardBrand.other
    except ValueError:  # PydanticCustomError: the brand's length is wrong
        return False


def is_credit_card(text: str) -> bool:
    """13 to 19 digits with a valid Luhn check digit and a known brand's prefix and length."""
    number = digits(text)
    return 13 <= len(number) <= 19 and luhn.checksum(number) == 0 and _card_brand_known(number)


def _is_host(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An address a person's device could have: not loopback, link-local, multicast or reserved."""
    return not (address.is_unspecified or address.is_loopback or address.is_link_local
                or address.is_multicast or address.is_reserved)


def is_ipv4(text: str) -> bool:
    """A dotted quad that a device could have (``127.0.0.1`` is nobody's; ``0.1.2.3`` is a version).

    The ranges of ``_is_host`` by integer comparison (the properties cost about 2 µs a value):
    0/8 and 127/8, 169.254/16, and 224/4 (multicast) and 240/4 (reserved) above.
    """
    try:
        value = int(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        return False
    first = value >> 24
    return first not in (0, 127) and first < 224 and value >> 16 != 0xA9FE


def is_ipv6(text: str) -> bool:
    """A valid IPv6 host address with at least two groups (rejects times like ``12:30``, ``::1``).

    One that embeds a dotted quad (``::ffff:192.0.2.1``, NAT64 ``64:ff9b::192.0.2.1``) names
    that IPv4 host: it is judged as the quad is (Python 3.11 calls all of ``::/8`` reserved).
    """
    text = text.strip()
    embedded = "." in text
    if text.count(":") < 2 or ("::" not in text and text.count(":") != (6 if embedded else 7)):
        return False
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return False
    if embedded:
        return is_ipv4(text.rpartition(":")[2])
    return _is_host(address)


_PAIR = re.compile(r"^\(?\s*(-?\d{1,2}\.\d+)\s*[,; ]\s*(-?\d{1,3}\.\d+)\s*\)?$")


def is_coordinate_pair(text: str) -> bool:
    """``lat, lon`` in range with at least 3 decimals each (city-block precision), not near 0, 0."""
    match = _PAIR.match(text.strip())
    if not match:
        return False
    lat_text, lon_text = match.groups()
    if len(lat_text.split(".")[1]) < 3 or len(lon_text.split(".")[1]) < 3:
        return False
    lat, lon = float(lat_text), float(lon_text)
    # Within a degree of 0, 0 is open sea off West Africa: placeholders and examples, not people.
    return -90 <= lat <= 90 and -180 <= lon <= 180 and (abs(lat) >= 1 or abs(lon) >= 1)


_SINGLE = re.compile(r"^-?\d{1,3}\.\d{3,}$")


def is_coordinate(text: str) -> bool:
    """A single latitude or longitude with at least 3 decimals (for lat/lon columns)."""
    text = text.strip()
    return bool(_SINGLE.match(text)) and -180 <= float(text) <= 180


# ---- stdnum checks on pre-compacted digits ------------------------------------------------
# stdnum's ``is_valid`` first runs ``util.clean`` (a per-character generator, about 3 µs).
# These compact as the module's ``compact`` does (the same separators, ASCII only) and call
# stdnum's own check-digit functions; a test holds each equal to the module's ``is_valid``.

def _compact(text: str, separators: str) -> str:
    """``text`` without ``separators`` and surrounding whitespace, or "" unless only ASCII digits remain."""
    number = text.strip()
    for separator in separators:
        number = number.replace(separator, "")
    return number if number.isascii() and number.isdigit() else ""


def jp_my_number(text: str) -> bool:
    """``stdnum.jp.in_.is_valid``."""
    from stdnum.jp import in_

    number = _compact(text, "- ")
    return len(number) == 12 and in_.calc_check_digit(number[:11]) == number[11]


# Digits 2-3 of a Thai PIN are the registering province's code (ISO 3166-2:TH numbers them
# 10-96; these are not used), as Presidio's TNIN recognizer also checks.
_TH_NO_PROVINCE = frozenset({"28", "29", "59", "68", "69", "78", "79", "87", "88", "89", "97", "98", "99"})


def th_pin(text: str) -> bool:
    """``stdnum.th.pin.is_valid``, and a province code that exists."""
    from stdnum.th import pin

    number = _compact(text, " -")
    return (len(number) == 13 and number[0] not in "09" and number[1] != "0"
            and number[1:3] not in _TH_NO_PROVINCE and pin.calc_check_digit(number) == number[12])


def in_aadhaar(text: str) -> bool:
    """``stdnum.in_.aadhaar.is_valid`` (also with ``:`` between the groups, as some forms write it)."""
    from stdnum import verhoeff
    from stdnum.in_ import aadhaar

    number = _compact(text, " -:")
    return (len(number) == 12 and aadhaar.aadhaar_re.match(number) is not None and number != number[::-1]
            and verhoeff.checksum(number) == 0)


def au_tfn(text: str) -> bool:
    """``stdnum.au.tfn.is_valid``."""
    from stdnum.au import tfn

    number = _compact(text, " ")
    return len(number) in (8, 9) and tfn.checksum(number) == 0


# NIK and NRIC have no check digit: stdnum validates their birth date and place code (a
# numbering-database lookup, about 10 µs). Validity depends on those parts alone, so each
# part is asked of stdnum once, with the other parts fixed to known-good values.

@functools.lru_cache(maxsize=4096)
def _nik_part_valid(region: str, birth: str) -> bool:
    from stdnum.id import nik

    return bool(nik.is_valid(f"{region}01{birth}0001"))


def id_nik(text: str) -> bool:
    """``stdnum.id.nik.is_valid``: region code and birth date."""
    number = _compact(text, " -.")
    return (len(number) == 16 and _nik_part_valid(number[:4], "010190")
            and _nik_part_valid("3171", number[6:12]))


@functools.lru_cache(maxsize=4096)
def _nric_part_valid(birth: str, place: str) -> bool:
    from stdnum.my import nric

    return bool(nric.is_valid(f"{birth}{place}0001"))


def my_nric(text: str) -> bool:
    """``stdnum.my.nric.is_valid``: birth date and birthplace code."""
    number = _compact(text, " -*")
    return len(number) == 12 and _nric_part_valid(number[:6], "01") and _nric_part_valid("900101", number[6:8])


def is_vin(text: str) -> bool:
    """A VIN with a valid ISO 3779 check digit; it has letters (17 digits are just a number)."""
    from cloudaudit.pii.validators import vin

    return not text.isdigit() and vin.is_valid(text)


def is_vin_structure(text: str) -> bool:
    """A VIN by structure alone (check position unused): letters and at least two digits."""
    from cloudaudit.pii.validators import vin

    return not text.isdigit() and len(digits(text)) >= 2 and vin.is_valid(text, check_digit=False)
