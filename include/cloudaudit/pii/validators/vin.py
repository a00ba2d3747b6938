"""VIN (ISO 3779 Vehicle Identification Number).

Seventeen characters from digits and letters other than I, O and Q: the world manufacturer
identifier (3), the vehicle descriptor (6, the ninth character being the check digit where
the scheme is used) and the vehicle identifier (8). The check digit transliterates letters
to numbers, weights the positions (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, ..., 2) and takes the sum
modulo 11, 10 being written X. It is mandatory in North America and China and used by most
manufacturers elsewhere.

More information:

* https://en.wikipedia.org/wiki/Vehicle_identification_number

>>> validate('1M8GDM9AXKP042788')
'1M8GDM9AXKP042788'
>>> validate('1m8gdm9a-xkp042788')
'1M8GDM9AXKP042788'
>>> validate('1M8GDM9A1KP042788')
Traceback (most recent call last):
    ...
InvalidChecksum: ...
>>> validate('1M8GDM9AXKP04278')
Traceback (most recent call last):
    ...
InvalidLength: ...
>>> validate('1M8GDM9AXKPO42788')
Traceback (most recent call last):
    ...
InvalidFormat: ...
>>> calc_check_digit('11111111111111111')
'1'
>>> validate('1M8GDM9A1KP042788', check_digit=False)
'1M8GDM9A1KP042788'
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean

_VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VALUES = {**{str(d): d for d in range(10)},
           **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
           **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
           **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def compact(number: str) -> str:
    """Convert the number to the minimal representation (upper case, no spaces or dashes)."""
    if number.isalnum() and number.isascii():  # already compact: skip clean()'s per-character pass
        return number.upper()
    return clean(number, " -").strip().upper()


def calc_check_digit(number: str) -> str:
    """Calculate the check digit (position 9) of a 17-character VIN; the ninth is ignored."""
    number = compact(number)
    total = sum(w * _VALUES[c] for w, c in zip(_WEIGHTS, number, strict=True))
    return "0123456789X"[total % 11]


def validate(number: str, check_digit: bool = True) -> str:
    """Check the length, alphabet and (unless ``check_digit`` is False) the check digit."""
    number = compact(number)
    if len(number) != 17:
        raise InvalidLength()
    if not _VIN_RE.match(number):
        raise InvalidFormat()
    if check_digit and calc_check_digit(number) != number[8]:
        raise InvalidChecksum()
    return number


def is_valid(number: str, check_digit: bool = True) -> bool:
    """Check whether the number is a valid VIN."""
    try:
        return bool(validate(number, check_digit))
    except ValidationError:
        return False


def format(number: str) -> str:
    """Reformat the number to the standard presentation format."""
    return compact(number)
