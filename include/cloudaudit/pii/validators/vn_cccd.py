"""CCCD (Vietnam Căn cước công dân, citizen identity card number).

Twelve digits with no check digit: a three-digit province code of the place of birth
registration (001 Hà Nội ... 096 Cà Mau), a digit for century and sex (0/1: 1900s male/
female, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 1800s), the last two digits of the birth
year and six random digits. So the province code must exist and the birth year must not lie
in the future.

More information:

* https://vi.wikipedia.org/wiki/Căn_cước_công_dân_(Việt_Nam)

>>> validate('001085012345')
'001085012345'
>>> validate('079 3 05 123456')
'079305123456'
>>> validate('003085012345')  # no province 003
Traceback (most recent call last):
    ...
InvalidComponent: ...
>>> validate('001485012345')  # born in 2185
Traceback (most recent call last):
    ...
InvalidComponent: ...
>>> validate('00108501234')
Traceback (most recent call last):
    ...
InvalidLength: ...
>>> get_birth_year('036219123456')
2019
>>> format('001085012345')
'001 0 85 012345'
"""

from __future__ import annotations

import datetime

from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean, isdigits

PROVINCES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
    "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
    "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
    "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
    "089", "091", "092", "093", "094", "095", "096",
})
"""Province codes of the 63 provinces and cities (Circular 07/2016/TT-BCA)."""

_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


def compact(number: str) -> str:
    """Convert the number to the minimal representation (digits only)."""
    if number.isdigit() and number.isascii():  # already compact: skip clean()'s per-character pass
        return number
    return clean(number, " -.").strip()


def get_birth_year(number: str) -> int:
    """Return the birth year encoded by the century digit and the two year digits."""
    number = compact(number)
    return _CENTURY[int(number[3])] + int(number[4:6])


def validate(number: str) -> str:
    """Check the length, province code and birth year; return the compact number."""
    number = compact(number)
    if not isdigits(number):
        raise InvalidFormat()
    if len(number) != 12:
        raise InvalidLength()
    if number[:3] not in PROVINCES:
        raise InvalidComponent()
    if not 1890 <= get_birth_year(number) <= datetime.date.today().year:
        raise InvalidComponent()
    return number


def is_valid(number: str) -> bool:
    """Check whether the number is a valid CCCD number."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    """Reformat the number as province, century-and-sex, year and serial."""
    number = compact(number)
    return " ".join((number[:3], number[3], number[4:6], number[6:]))
