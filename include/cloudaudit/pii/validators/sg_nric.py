"""NRIC/FIN (Singapore National Registration Identity Card / Foreign Identification Number).

Nine characters: a prefix letter (S, T for citizens and permanent residents born before and
since 2000; F, G, M for foreigners), seven digits and a check letter. The check letter is a
weighted sum (2, 7, 6, 5, 4, 3, 2) of the digits, offset by the prefix, modulo 11, looked up
in a table per prefix group.

More information:

* https://en.wikipedia.org/wiki/National_Registration_Identity_Card

>>> validate('S1234567D')
'S1234567D'
>>> validate('t1234567j')
'T1234567J'
>>> validate('F1234567N')
'F1234567N'
>>> validate('G1234567X')
'G1234567X'
>>> validate('S1234567A')
Traceback (most recent call last):
    ...
InvalidChecksum: ...
>>> validate('A1234567D')
Traceback (most recent call last):
    ...
InvalidComponent: ...
>>> validate('S123456D')
Traceback (most recent call last):
    ...
InvalidLength: ...
>>> calc_check_digit('M1234567')
'K'
>>> format(' s 1234567 d ')
'S1234567D'
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean, isdigits

_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_OFFSET = {"S": 0, "F": 0, "T": 4, "G": 4, "M": 3}
_TABLE = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK",
          "M": "XWUTRQPNJLK"}


def compact(number: str) -> str:
    """Convert the number to the minimal representation (upper case, no spaces or dashes)."""
    if number.isalnum() and number.isascii():  # already compact: skip clean()'s per-character pass
        return number.upper()
    return clean(number, " -").strip().upper()


def calc_check_digit(number: str) -> str:
    """Calculate the check letter for the first eight characters (prefix and seven digits)."""
    number = compact(number)
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, number[1:8], strict=True)) + _OFFSET[number[0]]
    return _TABLE[number[0]][total % 11]


def validate(number: str) -> str:
    """Check the length, prefix, digits and check letter; return the compact number."""
    number = compact(number)
    if len(number) != 9:
        raise InvalidLength()
    if number[0] not in _OFFSET:
        raise InvalidComponent()
    if not isdigits(number[1:8]) or not number[8].isalpha():
        raise InvalidFormat()
    if calc_check_digit(number[:8]) != number[8]:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """Check whether the number is a valid NRIC or FIN."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    """Reformat the number to the standard presentation format."""
    return compact(number)
