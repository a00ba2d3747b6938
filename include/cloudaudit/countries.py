"""ISO 3166-1 alpha-2 country codes, checked against pycountry's copy of the standard.

Two upper-case letters are not enough: ``XX`` names no country, and ``UK`` and ``EL`` are
codes people use (the EU's, the TLD's) that ISO 3166-1 only reserves; they get a hint.
"""

from __future__ import annotations

import re

from cloudaudit.localio import escape

_SHAPE = re.compile(r"^[A-Z]{2}$")
# exceptionally reserved codes in common use, and the code ISO 3166-1 assigns instead
_HINTS = {"UK": "GB", "EL": "GR"}


def country_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 code in upper case, or None when it is.

    >>> country_problem("JP") is None, country_problem("XX"), country_problem("UK")
    (True, "'XX' is not an ISO 3166-1 alpha-2 country code", "'UK' is not an ISO 3166-1 alpha-2 country code; use 'GB'")
    """
    import pycountry  # its database loads on first use

    if not _SHAPE.match(code):
        return f"{escape(repr(code))}: expected an ISO 3166-1 alpha-2 code in upper case, e.g. JP"
    if pycountry.countries.get(alpha_2=code) is not None:
        return None
    hint = f"; use {_HINTS[code]!r}" if code in _HINTS else ""
    return f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}"


def check_country(code: str) -> str:
    """``code`` if it is an ISO 3166-1 alpha-2 code, else ValueError saying why (and what to use)."""
    problem = country_problem(code)
    if problem:
        raise ValueError(problem)
    return code
