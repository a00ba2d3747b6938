"""Singapore vehicle registration mark.

A prefix of one to three letters, one to four digits and a check letter. The check letter
takes the last two prefix letters (A=1 ... Z=26, a missing one counting 0) and the digits
padded to four, weights them 9, 4, 5, 4, 3, 2, and looks the sum modulo 19 up in
``AZYXUTSRPMLKJHGEDCB``.

More information:

* https://en.wikipedia.org/wiki/Vehicle_registration_plates_of_Singapore

>>> validate('SBS 3229 P')
'SBS3229P'
>>> validate('SBA1234G')
'SBA1234G'
>>> validate('E 23 H')
'E23H'
>>> validate('SBS 3229 A')
Traceback (most recent call last):
    ...
InvalidChecksum: ...
>>> validate('SBS 32290 P')
Traceback (most recent call last):
    ...
InvalidFormat: ...
>>> calc_check_digit('SBA1234')
'G'
>>> format('sbs3229p')
'SBS 3229 P'
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidFormat, ValidationError
from stdnum.util import clean

_PLATE_RE = re.compile(r"^([A-Z]{1,3})([0-9]{1,4})([A-Z])$")
_BODY_RE = re.compile(r"^([A-Z]{1,3})([0-9]{1,4})$")
_WEIGHTS = (9, 4, 5, 4, 3, 2)
_LETTERS = "AZYXUTSRPMLKJHGEDCB"


def compact(number: str) -> str:
    """Convert the number to the minimal representation (upper case, no spaces or dashes)."""
    if number.isalnum() and number.isascii():  # already compact: skip clean()'s per-character pass
        return number.upper()
    return clean(number, " -").strip().upper()


def calc_check_digit(number: str) -> str:
    """Calculate the check letter of a prefix and number (without the check letter)."""
    match = _BODY_RE.match(compact(number))
    if not match:
        raise InvalidFormat()
    prefix, digits = match.groups()
    letters = [0, *(ord(c) - 64 for c in prefix)][-2:]
    values = letters + [int(d) for d in digits.zfill(4)]
    return _LETTERS[sum(w * v for w, v in zip(_WEIGHTS, values, strict=True)) % 19]


def validate(number: str) -> str:
    """Check the structure and check letter; return the compact mark."""
    number = compact(number)
    match = _PLATE_RE.match(number)
    if not match or match.group(2).strip("0") == "":
        raise InvalidFormat()
    if calc_check_digit(number[:-1]) != number[-1]:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """Check whether the mark is a valid Singapore registration mark."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    """Reformat the mark as prefix, number and check letter separated by spaces."""
    match = _PLATE_RE.match(compact(number))
    if not match:
        raise InvalidFormat()
    return " ".join(match.groups())
