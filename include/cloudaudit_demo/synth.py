"""Seeded synthetic PII: valid values, near-miss decoys and whole customer records.

Used by the demo-estate seeder and the evaluation corpus. Every identifier is valid by the
same validators the detectors use (check digits come from stdnum's ``calc_check_digit`` or
our stdnum-style validators); a decoy looks like the identifier but fails its checksum or
structure. All randomness comes from the ``random.Random`` passed in, so a seed reproduces
a value. Faker is imported lazily: the module is cheap to import. One Faker per locale is
shared and reseeded on each call, so generate from one thread at a time.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from cloudaudit.model import PiiType

if TYPE_CHECKING:
    from faker import Faker

COUNTRIES = ("JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU")
RECORD_KEYS = ("name", "address", "phone", "email", "national_id", "plate", "vin", "date_of_birth")

_FAKER_LOCALE = {"JP": "ja_JP", "TH": "th_TH", "VN": "vi_VN", "ID": "id_ID", "PH": "en_PH",
                 "MY": "en_MS", "SG": "en_US", "IN": "en_IN", "AU": "en_AU"}
_ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # VIN alphabet: no I, O, Q
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.lru_cache(maxsize=16)
def _faker(locale: str) -> Faker:
    from faker import Faker

    return Faker(locale)


def _fake(country: str, rng: random.Random, locale: str | None = None) -> Faker:
    """A Faker for the country's locale, reseeded from ``rng`` so results follow the seed."""
    fake = _faker(locale or _FAKER_LOCALE[country])
    fake.seed_instance(rng.getrandbits(32))
    return fake


def _digits(rng: random.Random, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _birth_date(rng: random.Random) -> datetime.date:
    return datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 65))


def _group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start:start + size])
        start += size
    return sep.join(parts)


# ---- national identifiers ---------------------------------------------------------------

def _jp_my_number(rng: random.Random) -> str:
    from stdnum.jp import in_

    number = (body := _digits(rng, 11)) + in_.calc_check_digit(body)
    return rng.choice([number, _group(number, (4, 4, 4), " "), _group(number, (4, 4, 4), "-")])


def _th_pin(rng: random.Random) -> str:
    from stdnum.th import pin

    body = _digits(rng, 12, "12345678")
    # Digits 2-3 are a province code (ISO 3166-2:TH, 10-96 with gaps): moved into one without new draws.
    if body[1] == "0" or body[1:3] in {"28", "29", "59", "68", "69", "78", "79", "87", "88", "89", "97", "98", "99"}:
        body = body[0] + ("1" if body[1] == "0" else body[1]) + ("0" if body[1] != "0" else body[2]) + body[3:]
    number = body + pin.calc_check_digit(body)
    return rng.choice([number, pin.format(number)])


_VN_PROVINCES = ("001", "031", "048", "079", "092", "036", "075", "056", "038", "040")


def _vn_cccd(rng: random.Random) -> str:
    born = _birth_date(rng)
    century = (0 if born.year < 2000 else 2) + rng.randrange(2)
    return f"{rng.choice(_VN_PROVINCES)}{century}{born.year % 100:02d}{_digits(rng, 6)}"


_ID_REGIONS = ("3171", "3173", "3273", "3578", "1271", "5171", "7371", "3374", "3471", "3201")


def _id_nik(rng: random.Random) -> str:
    born = _birth_date(rng)
    day = born.day + (40 if rng.random() < 0.5 else 0)  # women: day + 40
    return (f"{rng.choice(_ID_REGIONS)}{rng.randrange(1, 40):02d}{day:02d}{born.month:02d}"
            f"{born.year % 100:02d}{rng.randrange(1, 9999):04d}")


def _my_nric(rng: random.Random) -> str:
    born = _birth_date(rng)
    number = f"{born:%y%m%d}{rng.randrange(1, 17):02d}{_digits(rng, 4)}"
    return rng.choice([number, _group(number, (6, 2, 4), "-")])


def _sg_nric(rng: random.Random) -> str:
    from cloudaudit.pii.validators import sg_nric

    body = rng.choice("SSSTTFGM") + _digits(rng, 7)
    return body + sg_nric.calc_check_digit(body)


def _in_aadhaar(rng: random.Random) -> str:
    from stdnum import verhoeff
    from stdnum.in_ import aadhaar

    while True:
        number = (body := _digits(rng, 11, "23456789")) + verhoeff.calc_check_digit(body)
        if aadhaar.is_valid(number):
            return rng.choice([number, aadhaar.format(number)])


def _au_tfn(rng: random.Random) -> str:
    from stdnum.au import tfn

    while True:  # tfn has no calc_check_digit: pick the last digit that validates
        body = _digits(rng, 8, "123456789")
        for last in "0123456789":
            if tfn.is_valid(body + last):
                return rng.choice([body + last, tfn.format(body + last)])


def _ph_philsys(rng: random.Random) -> str:
    from cloudaudit.pii.validators import ph_philsys

    return ph_philsys.format(_digits(rng, rng.choice((12, 16)), "123456789"))


_NATIONAL_ID: dict[str, Callable[[random.Random], str]] = {
    "JP": _jp_my_number, "TH": _th_pin, "VN": _vn_cccd, "ID": _id_nik, "PH": _ph_philsys,
    "MY": _my_nric, "SG": _sg_nric, "IN": _in_aadhaar, "AU": _au_tfn,
}


def _national_id_decoy(country: str, rng: random.Random) -> str:
    """Same shape as the country's ID, but a wrong check digit or an impossible part."""
    valid = _NATIONAL_ID[country](rng)
    digits = "".join(c for c in valid if c.isdigit())
    if country in ("JP", "TH", "IN", "AU"):  # checksummed: change the last digit
        last = str((int(digits[-1]) + rng.randrange(1, 10)) % 10)
        return valid[:-1] + last
    if country == "SG":
        letters = [c for c in "ABCDEFGHIJKLMNPQRTUWXZ" if c != valid[-1]]
        return valid[:-1] + rng.choice(letters)
    if country == "ID":  # impossible month or unknown region
        return digits[:8] + "13" + digits[10:] if rng.random() < 0.5 else "99" + digits[2:]
    if country == "MY":  # impossible month
        return digits[:2] + str(rng.randrange(13, 20)) + digits[4:]
    if country == "VN":  # unknown province or a birth year in the future
        return rng.choice(("003", "099", "100")) + digits[3:] if rng.random() < 0.5 else \
            digits[:3] + "5" + digits[4:]
    # PH has no check digit: break the structure (11 or 13 digits)
    return _group(_digits(rng, rng.choice((11, 13)), "123456789"), (4, 4, 5), "-")


# ---- vehicles ---------------------------------------------------------------------------

_VIN_WMI = {"JP": ("JTD", "JN1", "JHM", "JM1", "JF1"), "TH": ("MR0", "MNT", "MM8"), "VN": ("RL4", "RLA"),
            "ID": ("MHF", "MHK", "MHR"), "PH": ("PA1", "PAB"), "MY": ("PM1", "PL1", "PMH"),
            "SG": ("JTD", "WDD", "WBA"), "IN": ("MA3", "MAL", "MAT"), "AU": ("6T1", "6FP", "6G1")}


def _vin(country: str, rng: random.Random) -> str:
    from cloudaudit.pii.validators import vin

    wmi = rng.choice(_VIN_WMI[country])
    body = wmi + "".join(rng.choice(_ALNUM) for _ in range(5)) + "0" + rng.choice("ABCDEFGHJKLMNPRSTVWXY123456789")
    body += rng.choice(_ALNUM) + _digits(rng, 6)
    return body[:8] + vin.calc_check_digit(body) + body[9:]


_JP_REGIONS = ("品川", "練馬", "足立", "横浜", "川崎", "名古屋", "大阪", "なにわ", "神戸", "札幌", "福岡", "京都", "湘南")
_JP_KANA = "あいうえかきくけこさすせそたちつてとなにぬねのはひふほまみむめもやゆよらりるれろわ"
_TH_CONSONANTS = "กขคงจฉชซญฎฐฒณดตถทธนบปผพฟภมยรลวศษสหฬอฮ"
_TH_PROVINCES = ("กรุงเทพมหานคร", "เชียงใหม่", "ชลบุรี", "ขอนแก่น", "นนทบุรี", "ภูเก็ต", "สงขลา")
_ID_PREFIXES = ("B", "D", "F", "L", "N", "AB", "AD", "DK", "BK", "KT", "H", "E", "G", "T")
_MY_PREFIXES = ("W", "B", "J", "P", "A", "N", "V", "S", "Q")
_SG_PREFIXES = ("SBA", "SBS", "SJK", "SKR", "SGX", "SLA", "E", "SH", "SDN", "PA")
_IN_STATES = ("MH", "DL", "KA", "TN", "UP", "GJ", "RJ", "WB", "KL", "TS", "AP", "HR", "MP", "PB")


def _letters(rng: random.Random, n: int, alphabet: str = _UPPER) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _plate(country: str, rng: random.Random) -> str:
    if country == "JP":
        serial = f"{rng.randrange(10, 100)}-{rng.randrange(0, 100):02d}" if rng.random() < 0.8 \
            else f"・{rng.randrange(100, 1000)}"
        return f"{rng.choice(_JP_REGIONS)} {rng.randrange(100, 600)} {rng.choice(_JP_KANA)} {serial}"
    if country == "TH":
        head = ("" if rng.random() < 0.6 else str(rng.randrange(1, 10))) + _letters(rng, 2, _TH_CONSONANTS)
        tail = f" {rng.choice(_TH_PROVINCES)}" if rng.random() < 0.6 else ""
        return f"{head} {rng.randrange(1, 10000)}{tail}"
    if country == "VN":
        prefix = f"{rng.randrange(11, 100)}{rng.choice('ABCDEFGHKLMNPSTUVXYZ')}"
        if rng.random() < 0.25:
            prefix += str(rng.randrange(1, 10))  # motorbike series: 29B1
        number = _digits(rng, 5)
        return f"{prefix}-{number[:3]}.{number[3:]}" if rng.random() < 0.7 else f"{prefix}-{number}"
    if country == "ID":
        return f"{rng.choice(_ID_PREFIXES)} {rng.randrange(1, 10000)} {_letters(rng, rng.randrange(1, 4))}"
    if country == "PH":
        if rng.random() < 0.7:
            return f"{_letters(rng, 3)} {rng.randrange(1000, 10000)}"
        return f"{_letters(rng, 3)} {rng.randrange(100, 1000)}"
    if country == "MY":
        suffix = f" {rng.choice('ABCDEFGHJKLMNPRSTUVWXY')}" if rng.random() < 0.2 else ""
        return f"{rng.choice(_MY_PREFIXES)}{_letters(rng, rng.randrange(1, 3))} {rng.randrange(1, 10000)}{suffix}"
    if country == "SG":
        from cloudaudit.pii.validators import sg_plate

        prefix, number = rng.choice(_SG_PREFIXES), str(rng.randrange(1, 10000))
        return f"{prefix} {number} {sg_plate.calc_check_digit(prefix + number)}"
    if country == "IN":
        return (f"{rng.choice(_IN_STATES)} {rng.randrange(1, 100):02d} {_letters(rng, rng.randrange(1, 3))} "
                f"{rng.randrange(1, 10000):04d}")
    # AU: NSW AB12CD, VIC 1AB2CD, QLD 123ABC, WA 1ABC234, SA S123ABC
    style = rng.randrange(5)
    sep = rng.choice(("", " ", "-"))
    if style == 0:
        return f"{_letters(rng, 2)}{_digits(rng, 2)}{sep}{_letters(rng, 2)}"
    if style == 1:
        return f"{rng.randrange(1, 10)}{_letters(rng, 2)}{sep}{rng.randrange(1, 10)}{_letters(rng, 2)}"
    if style == 2:
        return f"{_digits(rng, 3)}{sep}{_letters(rng, 3)}"
    if style == 3:
        return f"1{_letters(rng, 3)}{sep}{_digits(rng, 3)}"
    return f"S{_digits(rng, 3)}{sep}{_letters(rng, 3)}"


def _plate_decoy(country: str, rng: random.Random) -> str:
    """A code of plate-like letters and digits that breaks the country's plate structure."""
    if country == "SG":
        valid = _plate(country, rng)
        return valid[:-1] + rng.choice([c for c in "ABCDEGHJKLMPRSTUXYZ" if c != valid[-1]])
    return rng.choice((
        f"{_letters(rng, 5)}-{_digits(rng, 6)}",
        f"{_digits(rng, 6)}{_letters(rng, 1)}",
        f"PN-{_digits(rng, 5)}-{_letters(rng, 2)}",
        f"{_letters(rng, 4)}{_digits(rng, 5)}{_letters(rng, 3)}",
    ))


# ---- contact details --------------------------------------------------------------------

def _phone(country: str, rng: random.Random) -> str:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    kind = PhoneNumberType.MOBILE if rng.random() < 0.75 else PhoneNumberType.FIXED_LINE
    example = phonenumbers.example_number_for_type(country, kind)
    assert example is not None
    national = str(example.national_number)
    keep = min(3, len(national) - 4)
    number = example  # kept if no random subscriber part validates (never seen, but bounded)
    for _ in range(200):  # keep the example's prefix, randomise the subscriber part
        candidate = phonenumbers.parse(national[:keep] + _digits(rng, len(national) - keep), country)
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    style = rng.random()
    if style < 0.7:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if style < 0.9:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _phone_decoy(country: str, rng: random.Random) -> str:
    import phonenumbers

    while True:  # too short for the country's plan, in a phone-like layout
        candidate = _digits(rng, rng.randrange(5, 7), "123456789")
        if not phonenumbers.is_valid_number(phonenumbers.parse(candidate, country)):
            return f"{candidate[:3]}-{candidate[3:]}"


_DOMAINS = {"JP": ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "ezweb.ne.jp"),
            "TH": ("gmail.com", "hotmail.com", "outlook.co.th"), "VN": ("gmail.com", "yahoo.com.vn"),
            "ID": ("gmail.com", "yahoo.co.id"), "PH": ("gmail.com", "yahoo.com.ph"),
            "MY": ("gmail.com", "yahoo.com.my"), "SG": ("gmail.com", "singnet.com.sg"),
            "IN": ("gmail.com", "rediffmail.com"), "AU": ("gmail.com", "bigpond.com", "outlook.com.au")}


def _email(country: str, rng: random.Random) -> str:
    fake = _fake(country, rng, "en_US")
    user = f"{fake.first_name()}{rng.choice('._')}{fake.last_name()}".lower()
    if rng.random() < 0.5:
        user += str(rng.randrange(1, 2000))
    return f"{user}@{rng.choice(_DOMAINS[country])}"


def _email_decoy(country: str, rng: random.Random) -> str:
    user = _email(country, rng).split("@")[0]
    return rng.choice((f"{user}.{rng.choice(_DOMAINS[country])}", f"{user}@", f"@{user}", f"{user}@localhost"))


# ---- people -----------------------------------------------------------------------------

_MY_MALAY_GIVEN = ("Ahmad", "Muhammad", "Nur", "Siti", "Aisyah", "Hafiz", "Faridah", "Zulkifli", "Amirul")
_MY_MALAY_FATHER = ("Ismail", "Abdullah", "Hassan", "Razak", "Yusof", "Osman", "Ibrahim", "Rahman")
_CHINESE_SURNAMES = ("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Chan", "Koh", "Teo", "Lau")
_CHINESE_GIVEN = ("Wei Ming", "Mei Ling", "Jia Hui", "Kok Leong", "Siew Lan", "Boon Huat", "Hui Min", "Zhi Hao")
_INDIAN_NAMES = ("Rajesh", "Priya", "Suresh", "Kavitha", "Arjun", "Devi", "Ganesh", "Lakshmi")
_SG_STREETS = ("Ang Mo Kio Ave 3", "Tampines St 21", "Bedok North Rd", "Jurong West St 52", "Toa Payoh Lor 1",
               "Woodlands Dr 14", "Clementi Ave 2", "Yishun Ring Rd")


def _person_name(country: str, rng: random.Random) -> str:
    if country in ("MY", "SG"):
        kind = rng.random()
        if country == "MY" and kind < 0.5:
            joiner = rng.choice(("bin", "binti"))
            return f"{rng.choice(_MY_MALAY_GIVEN)} {joiner} {rng.choice(_MY_MALAY_FATHER)}"
        if kind < 0.85:
            return f"{rng.choice(_CHINESE_SURNAMES)} {rng.choice(_CHINESE_GIVEN)}"
        return f"{rng.choice(_INDIAN_NAMES)} a/l {rng.choice(_INDIAN_NAMES)}"
    if country == "IN" and rng.random() < 0.3:
        return str(_fake(country, rng, "hi_IN").name())
    return str(_fake(country, rng).name())


def _address(country: str, rng: random.Random) -> str:
    if country == "SG":
        return (f"Blk {rng.randrange(1, 999)} {rng.choice(_SG_STREETS)}, #{rng.randrange(1, 30):02d}-"
                f"{rng.randrange(1, 400):02d}, Singapore {_digits(rng, 6, '1234567')}")
    return str(_fake(country, rng).address()).replace("\n", ", ")


_TH_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def _format_date(country: str, day: int, month: int, year: int, rng: random.Random) -> str:
    if country == "JP":
        return rng.choice((f"{year}-{month:02d}-{day:02d}", f"{year}/{month:02d}/{day:02d}", f"{year}年{month}月{day}日"))
    if country == "TH":
        be = year + 543  # Buddhist Era
        return rng.choice((f"{day:02d}/{month:02d}/{be}", f"{day} {_TH_MONTHS[month - 1]} {be}",
                           f"{year}-{month:02d}-{day:02d}"))
    if country in ("PH", "US"):
        return rng.choice((f"{month:02d}/{day:02d}/{year}", f"{year}-{month:02d}-{day:02d}",
                           datetime.date(year, month, day).strftime("%B %d, %Y")))
    return rng.choice((f"{day:02d}/{month:02d}/{year}", f"{day:02d}-{month:02d}-{year}", f"{year}-{month:02d}-{day:02d}",
                       datetime.date(year, month, day).strftime("%d %b %Y")))


def _date_of_birth(country: str, rng: random.Random) -> str:
    born = _birth_date(rng)
    return _format_date(country, born.day, born.month, born.year, rng)


def _date_decoy(country: str, rng: random.Random) -> str:
    """A date-shaped value that is no date: day 31 of a 30-day month, or month 13+."""
    year = rng.randrange(1950, 2005)
    if country in ("TH",):
        return f"31/{rng.choice((4, 6, 9, 11)):02d}/{year + 543}"
    return rng.choice((f"{year}-{rng.randrange(13, 20):02d}-{rng.randrange(1, 29):02d}",
                       f"{rng.randrange(32, 40)}/{rng.randrange(1, 13):02d}/{year}"))


# ---- cards, network, places -------------------------------------------------------------

def _credit_card(rng: random.Random) -> str:
    from stdnum import luhn

    prefix, length = rng.choice((("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("37", 15), ("35", 16)))
    body = prefix + _digits(rng, length - len(prefix) - 1)
    number = body + luhn.calc_check_digit(body)
    if rng.random() < 0.5:
        return number
    sizes = (4, 6, 5) if length == 15 else (4, 4, 4, 4)
    return _group(number, sizes, rng.choice((" ", "-")))


def _credit_card_decoy(rng: random.Random) -> str:
    from stdnum import luhn

    while True:
        number = "4" + _digits(rng, 15)
        if not luhn.is_valid(number):
            return number


def _ip_address(rng: random.Random) -> str:
    """A public address (a customer's device seen by a server): never loopback, private or reserved."""
    while True:
        if rng.random() < 0.75:
            address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.IPv4Address(
                rng.randrange(0x0B000000, 0xDF000000))
        else:
            address = ipaddress.IPv6Address((0x2400 << 112) | rng.getrandbits(112))  # APNIC's 2400::/12
        if address.is_global:
            return str(address)


def _ip_decoy(rng: random.Random) -> str:
    octets = [str(rng.randrange(0, 256)) for _ in range(4)]
    octets[rng.randrange(4)] = str(rng.randrange(256, 1000))
    return ".".join(octets) if rng.random() < 0.7 else ".".join(octets[:3])


_BOUNDS = {"JP": (31.0, 43.0, 130.0, 145.0), "TH": (6.0, 20.0, 98.0, 105.0), "VN": (9.0, 23.0, 103.0, 109.0),
           "ID": (-8.5, 3.5, 95.0, 125.0), "PH": (5.0, 19.0, 117.0, 126.0), "MY": (1.5, 6.5, 100.0, 118.0),
           "SG": (1.25, 1.45, 103.6, 104.0), "IN": (8.0, 32.0, 70.0, 88.0), "AU": (-38.0, -12.0, 115.0, 153.0)}


def _geo(country: str, rng: random.Random) -> str:
    lat0, lat1, lon0, lon1 = _BOUNDS[country]
    places = rng.choice((4, 5, 6))
    return f"{rng.uniform(lat0, lat1):.{places}f}{rng.choice((', ', ',', ' '))}{rng.uniform(lon0, lon1):.{places}f}"


def _geo_decoy(country: str, rng: random.Random) -> str:
    return f"{rng.uniform(91, 180):.5f}, {rng.uniform(181, 400):.5f}"  # out of range


# ---- public API -------------------------------------------------------------------------

def value(pii_type: PiiType, country: str, rng: random.Random) -> str:
    """A valid synthetic value of ``pii_type`` as found in ``country``'s data."""
    country = country.upper()
    makers: dict[PiiType, Callable[[], str]] = {
        PiiType.PERSON_NAME: lambda: _person_name(country, rng),
        PiiType.ADDRESS: lambda: _address(country, rng),
        PiiType.PHONE_NUMBER: lambda: _phone(country, rng),
        PiiType.EMAIL_ADDRESS: lambda: _email(country, rng),
        PiiType.NATIONAL_ID: lambda: _NATIONAL_ID[country](rng),
        PiiType.VEHICLE_REGISTRATION: lambda: _plate(country, rng),
        PiiType.VIN: lambda: _vin(country, rng),
        PiiType.CREDIT_CARD: lambda: _credit_card(rng),
        PiiType.DATE_OF_BIRTH: lambda: _date_of_birth(country, rng),
        PiiType.GEO_LOCATION: lambda: _geo(country, rng),
        PiiType.IP_ADDRESS: lambda: _ip_address(rng),
    }
    return makers[pii_type]()


_NOT_NAMES = ("Oil change", "Brake pads", "Tyre rotation", "Battery replaced", "Wiper blades", "Air filter",
              "Coolant flush", "Spark plugs", "Wheel alignment", "Inspection OK")
_NOT_ADDRESSES = ("Bay 3", "Workshop B", "Counter 2", "Lift 4", "Yard", "Parts store", "N/A", "Service desk")


def decoy(pii_type: PiiType, country: str, rng: random.Random) -> str:
    """A value that looks like ``pii_type`` but fails its checksum or structure."""
    country = country.upper()
    if pii_type is PiiType.NATIONAL_ID:
        return _national_id_decoy(country, rng)
    if pii_type is PiiType.VIN:
        good = _vin(country, rng)
        return good[:8] + rng.choice([c for c in "0123456789X" if c != good[8]]) + good[9:]
    if pii_type is PiiType.VEHICLE_REGISTRATION:
        return _plate_decoy(country, rng)
    if pii_type is PiiType.PHONE_NUMBER:
        return _phone_decoy(country, rng)
    if pii_type is PiiType.EMAIL_ADDRESS:
        return _email_decoy(country, rng)
    if pii_type is PiiType.CREDIT_CARD:
        return _credit_card_decoy(rng)
    if pii_type is PiiType.DATE_OF_BIRTH:
        return _date_decoy(country, rng)
    if pii_type is PiiType.GEO_LOCATION:
        return _geo_decoy(country, rng)
    if pii_type is PiiType.IP_ADDRESS:
        return _ip_decoy(rng)
    if pii_type is PiiType.PERSON_NAME:
        return rng.choice(_NOT_NAMES)
    return rng.choice(_NOT_ADDRESSES)


def company(country: str, rng: random.Random) -> str:
    """A company's name from Faker's locale for the country (a fleet customer: not personal data)."""
    return str(_fake(country.upper(), rng).company())


def record(country: str, rng: random.Random) -> dict[str, str]:
    """A car dealer's maintenance customer in ``country``: the keys of ``RECORD_KEYS``."""
    country = country.upper()
    return {
        "name": value(PiiType.PERSON_NAME, country, rng),
        "address": value(PiiType.ADDRESS, country, rng),
        "phone": value(PiiType.PHONE_NUMBER, country, rng),
        "email": value(PiiType.EMAIL_ADDRESS, country, rng),
        "national_id": value(PiiType.NATIONAL_ID, country, rng),
        "plate": value(PiiType.VEHICLE_REGISTRATION, country, rng),
        "vin": value(PiiType.VIN, country, rng),
        "date_of_birth": value(PiiType.DATE_OF_BIRTH, country, rng),
    }
