"""Cell values → strings, and the bounded table every parser fills.

Every parser turns what it reads into ``str | None`` with ``format_value`` and stores it
through a ``FieldTable``, so the bounds (``max_fields``, ``max_rows`` values per field,
``max_cell_chars``) are applied in one place whatever the format.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from dataclasses import dataclass, field
from decimal import Decimal

from cloudaudit.config import Limits

_MAX_INTEGRAL_DIGITS = 40  # beyond this an "integer" is an exponent artefact, not an identifier


def format_value(value: object) -> str | None:
    """One cell as a string: ``None`` for empty, numbers without float noise, dates in ISO.

    >>> format_value(1234567890123.0), format_value(0.1), format_value(None), format_value("  ")
    ('1234567890123', '0.1', None, None)
    >>> format_value(dt.datetime(1980, 5, 1)), format_value(True), format_value(Decimal("12.50"))
    ('1980-05-01', 'true', '12.50')
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, Decimal):
        return _format_decimal(value)
    if isinstance(value, dt.datetime):
        # Spreadsheets store dates as midnight datetimes; a date of birth should read as a date.
        if value.tzinfo is None and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8").strip() or None
        except UnicodeDecodeError:
            return None  # opaque binary: nothing a detector could read
    return str(value).strip() or None


def _format_float(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if len(text) >= 17:  # a float32 widened to float64 prints as 0.10000000149011612
        return _shortest_float32(value) or text
    return text


def _shortest_float32(value: float) -> str | None:
    try:
        as_float32 = struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return None
    if as_float32 != value:
        return None
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == value:
            return text
    return None


def _format_decimal(value: Decimal) -> str | None:
    if not value.is_finite():
        return None
    if value == value.to_integral_value() and value.adjusted() < _MAX_INTEGRAL_DIGITS:
        return str(int(value))
    return str(value)


@dataclass
class FieldTable:
    """Field name → values, bounded as ``limits`` says; fields past ``max_fields`` are dropped.

    ``truncated``: a bound was reached. ``partial``: why reading stopped short of the bounds
    (a cell over the CSV field limit, a cut row), so the sample is PARTIAL, never clean.
    """

    limits: Limits
    fields: dict[str, list[str | None]] = field(default_factory=dict)
    rows: int = 0
    truncated: bool = False
    partial: str = ""

    def add(self, name: str, value: str | None) -> None:
        """Append one value to a field (created on first use while under ``max_fields``)."""
        values = self.fields.get(name)
        if values is None:
            if len(self.fields) >= self.limits.max_fields:
                return
            values = self.fields[name] = []
        if len(values) >= self.limits.max_rows:
            self.truncated = True
            return
        if value is not None and len(value) > self.limits.max_cell_chars:
            value = value[: self.limits.max_cell_chars]
        values.append(value)

    def declare(self, name: str) -> None:
        """Create a field with no values yet (a header with an empty column)."""
        if name not in self.fields and len(self.fields) < self.limits.max_fields:
            self.fields[name] = []

    @property
    def full(self) -> bool:
        """True once ``max_rows`` records were read: parsers stop here."""
        return self.rows >= self.limits.max_rows


def unique_names(names: list[str]) -> list[str]:
    """Make header names unique: a repeated ``phone`` becomes ``phone_2``.

    >>> unique_names(["a", "b", "a", "a_2"])
    ['a', 'b', 'a_2', 'a_2_2']
    """
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out
