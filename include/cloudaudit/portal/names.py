"""What a portal request may name: a country, a run date and one of the two published files.

Every value from a URL goes through here before it is used to build a key, so a traversal
(``..``, slashes, encoded separators) or an oversized value never reaches the store.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from cloudaudit.countries import country_problem

FileKind = Literal["xlsx", "zip"]
MAX_PARAM_CHARS = 64  # longer than any legal value: a country, a date or a file name

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadName(ValueError):
    """A URL value that cannot name a report; its message is safe to show the caller."""


def _bounded(value: str, what: str) -> str:
    if len(value) > MAX_PARAM_CHARS:
        raise BadName(f"{what} is longer than {MAX_PARAM_CHARS} characters")
    return value


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case.

    >>> country_code("jp")
    'JP'
    >>> country_code("XX")
    Traceback (most recent call last):
    ...
    cloudaudit.portal.names.BadName: country 'XX' is not an ISO 3166-1 alpha-2 code
    """
    code = _bounded(value, "country").strip().upper()
    if not _COUNTRY.match(code) or country_problem(code):  # the project's one ISO 3166-1 check
        shown = code if _COUNTRY.match(code) else "value"  # never echo what is not shaped like a code
        raise BadName(f"country {shown!r} is not an ISO 3166-1 alpha-2 code")
    return code


def run_date(value: str, what: str = "date") -> str:
    """A calendar date written YYYY-MM-DD.

    >>> run_date("2026-11-20")
    '2026-11-20'
    >>> run_date("2026-02-30")
    Traceback (most recent call last):
    ...
    cloudaudit.portal.names.BadName: date must be a calendar date written YYYY-MM-DD
    """
    text = _bounded(value, what)
    if not _DATE.match(text):
        raise BadName(f"{what} must be a calendar date written YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise BadName(f"{what} must be a calendar date written YYYY-MM-DD") from None
    return text


def report_file_name(country: str, day: str, kind: FileKind) -> str:
    """The SPEC's file name for a country and date."""
    return f"compliance_{country}_{day}.xlsx" if kind == "xlsx" else f"evidence_{country}_{day}.zip"


def file_kind(country: str, day: str, name: str) -> FileKind:
    """Which published file ``name`` is; anything else (another country's, a path) is refused.

    >>> file_kind("JP", "2026-11-20", "evidence_JP_2026-11-20.zip")
    'zip'
    """
    _bounded(name, "file")
    kinds: tuple[FileKind, ...] = ("xlsx", "zip")
    for kind in kinds:
        if name == report_file_name(country, day, kind):
            return kind
    raise BadName(f"file must be {report_file_name(country, day, 'xlsx')} or {report_file_name(country, day, 'zip')}")


def report_key(country: str, day: str, kind: FileKind) -> str:
    """The key under ``CLOUDAUDIT_OUTPUT``: ``<D>/<CC>/<file>``."""
    return f"{day}/{country}/{report_file_name(country, day, kind)}"


def parse_report_key(key: str) -> tuple[str, str, FileKind] | None:
    """(country, date, kind) for a published file's key; None for anything else under the root.

    >>> parse_report_key("2026-11-20/JP/compliance_JP_2026-11-20.xlsx")
    ('JP', '2026-11-20', 'xlsx')
    >>> parse_report_key("2026-11-20/JP/notes.txt") is None
    True
    """
    parts = key.split("/")
    if len(parts) != 3:
        return None
    day, country, name = parts
    try:
        country_code(country)
        run_date(day)
        return country, day, file_kind(country, day, name)
    except BadName:
        return None
