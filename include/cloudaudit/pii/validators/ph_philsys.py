"""PSN / PCN (Philippine Identification System number).

The PhilSys Number (PSN) is a permanent 12-digit number; the PhilSys Card Number (PCN)
printed on the card is 16 digits, usually grouped by four. Neither carries a published check
digit, so only the structure can be validated; a detector counts one only with column or
sentence context.

More information:

* https://philsys.gov.ph/

>>> validate('1234-5678-9012')
'123456789012'
>>> validate('1234 5678 9012 3456')
'1234567890123456'
>>> validate('1234-5678-901')
Traceback (most recent call last):
    ...
InvalidLength: ...
>>> validate('0000-0000-0000')
Traceback (most recent call last):
    ...
InvalidComponent: ...
>>> validate('1234-5678-90AB')
Traceback (most recent call last):
    ...
InvalidFormat: ...
>>> format('1234567890123456')
'1234-5678-9012-3456'
"""

from __future__ import annotations

from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean, isdigits


def compact(number: str) -> str:
    """Convert the number to the minimal representation (digits only)."""
    if number.isdigit() and number.isascii():  # already compact: skip clean()'s per-character pass
        return number
    return clean(number, " -").strip()


def validate(number: str) -> str:
    """Check the length and that the number is digits and not a single repeated digit."""
    number = compact(number)
    if not isdigits(number):
        raise InvalidFormat()
    if len(number) not in (12, 16):
        raise InvalidLength()
    if len(set(number)) == 1:  # placeholder values such as 0000-0000-0000
        raise InvalidComponent()
    return number


def is_valid(number: str) -> bool:
    """Check whether the number has the structure of a PSN or PCN."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    """Reformat the number in groups of four digits."""
    number = compact(number)
    return "-".join(number[i:i + 4] for i in range(0, len(number), 4))
