"""Value-shape tests for the types found by context: names, addresses and dates of birth.

Each test is cheap and script-aware (kanji/kana, Thai, Vietnamese and other Latin scripts
with diacritics, Devanagari). They only run on fields whose header or key already names the
type, so they reject what cannot be the type rather than prove that it is.
"""

from __future__ import annotations

import datetime
import re

_LETTER_RUN = re.compile(r"[^\W\d_]")
_NAME_RE = re.compile(r"^[^\W\d_][^\d@#$%^*=+<>{}\[\]|\\:;?!\"]{0,59}$")
_ADDRESS_WORDS = re.compile(
    r"(?i)[都道府県市区町村丁番号]|จังหวัด|อำเภอ|ตำบล|ถนน|ซอย|แขวง|เขต|phường|quận|huyện|tỉnh|thành phố|đường|"
    r"(?<![a-z])(?:jl|jln|jalan|gang|gg|kec|kel|kota|kab|rt|rw|taman|lorong|blk|block|lot|brgy|barangay|"
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|blvd|city|village|district|nagar|marg|sector|"
    r"singapore|unit|floor|suite|apt|no|po box)(?![a-z])")


# Legal forms: a fleet customer's company name is not personal data.
COMPANY = re.compile(
    r"(?i)株式会社|有限会社|合同会社|\(株\)|（株）|บริษัท|ห้างหุ้นส่วน|หจก|บจก|บมจ|หสน|จำกัด|มูลนิธิ|ธนาคาร|และ|"
    r"công ty|tập đoàn|doanh nghiệp|^(?:pt|cv|pd|ud)\.?\s|"  # Indonesian forms lead: "PT Astra", not "S.Pt"
    r"(?<![a-z.])(?:co|corp|inc|ltd|llc|plc|pte|pty|sdn|bhd|tbk|gmbh|limited|corporation|company|"
    r"perum|persero|jsc|group|holdings|motors?|leasing|logistics|rental|fleet|enterprises?|sons|partners|"
    r"associates|trading|industries|services|solutions)(?![a-z])|,[^,]+\band\b")  # "Jones, Smith and Monroe"


def is_person_name(value: str) -> bool:
    """A name: 2 to 60 characters of letters (any script), spaces and name punctuation, no digits,
    and no legal form (``株式会社``, ``Pte Ltd``, ``PT``, ``Sdn Bhd``: companies are not people)."""
    text = value.strip()
    if not 2 <= len(text) <= 60 or not _NAME_RE.match(text):
        return False
    return len(text.split()) <= 7 and not COMPANY.search(text)


def is_address(value: str) -> bool:
    """An address: letters and a house number or postcode, or an address word in any covered language."""
    text = value.strip()
    if not 6 <= len(text) <= 250 or not _LETTER_RUN.search(text):
        return False
    if _ADDRESS_WORDS.search(text):
        return True
    return len(text) >= 12 and any(c.isdigit() for c in text) and (" " in text or "," in text)


# ---- dates --------------------------------------------------------------------------------

_MONTHS = {name: i + 1 for i, names in enumerate((
    ("jan", "january", "ม.ค.", "มกราคม"), ("feb", "february", "ก.พ.", "กุมภาพันธ์"),
    ("mar", "march", "มี.ค.", "มีนาคม"), ("apr", "april", "เม.ย.", "เมษายน"),
    ("may", "mei", "พ.ค.", "พฤษภาคม"), ("jun", "june", "juni", "มิ.ย.", "มิถุนายน"),
    ("jul", "july", "juli", "ก.ค.", "กรกฎาคม"), ("aug", "august", "agu", "agustus", "ogos", "ส.ค.", "สิงหาคม"),
    ("sep", "sept", "september", "ก.ย.", "กันยายน"), ("oct", "october", "okt", "oktober", "ต.ค.", "ตุลาคม"),
    ("nov", "november", "พ.ย.", "พฤศจิกายน"), ("dec", "december", "des", "desember", "dis", "ธ.ค.", "ธันวาคม"),
)) for name in names}
_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}

_NUMERIC = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CJK = re.compile(r"^(明治|大正|昭和|平成|令和)?\s*(\d{1,4}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_NAMED = re.compile(r"^(\d{1,2})\s*([^\W\d_][^\s\d,]*\.?(?:[^\W\d_]\.)?)\s*,?\s*(\d{4})$")
_NAMED_US = re.compile(r"^([^\W\d_]+\.?)\s+(\d{1,2}),?\s+(\d{4})$")
_VIETNAMESE = re.compile(r"(?i)^(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm\s*)?(\d{4})$")


DATE_SPAN = re.compile(
    r"(?<![\w.])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{8}"
    r"|(?:明治|大正|昭和|平成|令和)?\s*(?:\d{1,4}|元)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|\d{1,2}\s*(?:{months})\s*,?\s*\d{4}|(?:{months})\.?\s+\d{1,2},?\s+\d{4}"
    r"|(?:ngày\s*)?\d{1,2}\s*tháng\s*\d{1,2}\s*(?:năm\s*)?\d{4})(?![\w])"
    .replace("{months}", "|".join(re.escape(m) for m in sorted(_MONTHS, key=len, reverse=True))), re.IGNORECASE)
"""A date in any of the forms ``parse_date`` reads, inside a value or a sentence."""


def _year(year: int) -> int:
    """Map a Buddhist Era year (Thailand: Gregorian + 543) to the Gregorian calendar."""
    return year - 543 if 2400 <= year <= 2700 else year


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(_year(year), month, day)
    except ValueError:
        return None


def parse_date(value: str) -> datetime.date | None:
    """Parse a date in the formats used across the covered countries, or return None.

    ISO and slashed forms (day-first, or month-first when the day-first reading is
    impossible), ``YYYYMMDD``, ``1985年3月2日`` and Japanese eras (``昭和60年3月2日``),
    ``2 Mar 1985``, ``March 2, 1985``, Thai month abbreviations and Buddhist Era years, and
    Vietnamese ``ngày 2 tháng 3 năm 1985``.
    """
    text = value.strip()
    if not 6 <= len(text) <= 40:
        return None
    if match := _NUMERIC.match(text):
        a, b, c = (int(g) for g in match.groups())
        if len(match.group(1)) == 4:
            return _date(a, b, c)
        if len(match.group(3)) != 4:
            return None
        return _date(c, b, a) or _date(c, a, b)
    if match := _COMPACT.match(text):
        return _date(*(int(g) for g in match.groups()))
    if match := _CJK.match(text):
        era, year, month, day = match.groups()
        number = 1 if year == "元" else int(year)
        if era:
            number += _ERAS[era]
        return _date(number, int(month), int(day))
    if match := _VIETNAMESE.match(text):
        return _date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _NAMED.match(text):
        month_number = _MONTHS.get(match.group(2).lower())
        return _date(int(match.group(3)), month_number, int(match.group(1))) if month_number else None
    if match := _NAMED_US.match(text):
        month_number = _MONTHS.get(match.group(1).lower().rstrip("."))
        return _date(int(match.group(3)), month_number, int(match.group(2))) if month_number else None
    return None


def is_birth_date(value: str, today: datetime.date | None = None) -> bool:
    """A parseable date between 130 years ago and today."""
    born = parse_date(value)
    if born is None:
        return False
    today = today or datetime.date.today()
    return today.year - 130 <= born.year and born <= today
