"""Row values: client JSON → stored cells (insertAll, loads) → tabledata.list's ``{"f": [{"v": ...}]}``.

Stored cells are Python values keyed by lower-cased field name (BigQuery column names are
case-insensitive): ``int`` (INTEGER, and TIMESTAMP as microseconds since the epoch),
``float``, ``Decimal``, ``bool``, ``bytes``, ``date``/``datetime``/``time``, ``str``, ``dict``
(RECORD), ``list`` (REPEATED), ``None``. On the wire every scalar is a string, as from Google,
so the client's own parsers decide the Python types callers see.

Error messages name the field and the expected type, never the value.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from cloudaudit_demo.estate.bigquery.schema import Field

Cell = Any
Row = dict[str, Cell]
RowError = tuple[str, str]  # (location, message)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)
_MIN_MICROS = (dt.datetime(1, 1, 1, tzinfo=dt.UTC) - EPOCH) // _MICRO
_MAX_MICROS = (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC) - EPOCH) // _MICRO
_WIDE = Context(prec=100)  # BIGNUMERIC has 76+ digits; the default context keeps 28
_NUMERIC_LIMITS = {  # (max integer digits, scale)
    "NUMERIC": (29, 9),
    "BIGNUMERIC": (39, 38),
}
_DATE = r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
_ZONE = r"\s*(?P<z>Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?"
_TIMESTAMP_RE = re.compile(rf"{_DATE}(?:[T ]{_TIME}{_ZONE})?", re.IGNORECASE)
_DATETIME_RE = re.compile(rf"{_DATE}(?:[T ]{_TIME})?", re.IGNORECASE)
_DATE_RE = re.compile(_DATE)
_TIME_RE = re.compile(_TIME)
_WKT_PREFIXES = ("POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION")


class BadValue(ValueError):
    """A value that does not convert to its column's type; the message names the type only."""


# ---------------------------------------------------------------------------- JSON → cell


def _to_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    raise BadValue("Cannot convert value to string.")


def _to_integer(value: object) -> int:
    number: int
    if isinstance(value, bool):
        raise BadValue("Cannot convert value to integer.")
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value)
    ):
        number = int(value)
    else:
        raise BadValue("Cannot convert value to integer.")
    if not INT64_MIN <= number <= INT64_MAX:
        raise BadValue("Value out of range for INT64.")
    return number


def _to_float(value: object) -> float:
    if isinstance(value, bool):
        raise BadValue("Cannot convert value to floating point.")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        special = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
                   "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf}
        if text.lower() in special:
            return special[text.lower()]
        try:
            return float(text)
        except ValueError:
            pass
    raise BadValue("Cannot convert value to floating point.")


def _to_numeric(kind: str) -> Callable[[object], Decimal]:
    digits, scale = _NUMERIC_LIMITS[kind]

    def convert(value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise BadValue(f"Cannot convert value to {kind.lower()}.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise BadValue(f"Cannot convert value to {kind.lower()}.") from None
        if not number.is_finite():
            raise BadValue(f"Cannot convert value to {kind.lower()}.")
        if number.adjusted() >= digits:  # out of range before rounding (quantize would overflow)
            raise BadValue(f"Value out of range for {kind}.")
        number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=_WIDE)  # half away from zero, as BigQuery
        if abs(number) >= Decimal(10) ** digits:
            raise BadValue(f"Value out of range for {kind}.")
        return number

    return convert


def _to_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "t", "f"):
        return value.strip().lower() in ("true", "1", "t")
    raise BadValue("Cannot convert value to boolean.")


def _to_bytes(value: object) -> bytes:
    if not isinstance(value, str):
        raise BadValue("Cannot convert value to bytes: expected a base64 string.")
    standard = value.strip().replace("-", "+").replace("_", "/")  # Google also accepts the URL-safe alphabet
    try:
        return base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        raise BadValue("Cannot convert value to bytes: invalid base64.") from None


def _fraction_micros(fraction: str | None) -> int:
    return int((fraction or "0").ljust(6, "0")[:6])


def _parse_zone(zone: str | None) -> dt.timezone:
    if not zone or zone.upper() in ("Z", "UTC"):
        return dt.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes > 59:
        raise BadValue("Invalid time zone offset for TIMESTAMP.")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _datetime_parts(match: re.Match[str], tz: dt.tzinfo | None) -> dt.datetime:
    groups = match.groupdict()
    return dt.datetime(
        int(groups["y"]), int(groups["mo"]), int(groups["d"]),
        int(groups["h"] or 0), int(groups["mi"] or 0), int(groups["s"] or 0),
        _fraction_micros(groups["f"]), tzinfo=tz,
    )


def _to_timestamp(value: object) -> int:
    """Microseconds since the epoch, from seconds (number or numeric string) or a date-time string."""
    if isinstance(value, bool):
        raise BadValue("Cannot convert value to timestamp.")
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+(\.\d*)?([eE][+-]?\d+)?\s*", value)):
        try:
            micros = int((Decimal(str(value).strip()) * 1_000_000).to_integral_value())
        except (InvalidOperation, ValueError, OverflowError):  # NaN, infinities
            raise BadValue("Cannot convert value to timestamp.") from None
    elif isinstance(value, str) and (match := _TIMESTAMP_RE.fullmatch(value.strip())):
        try:
            moment = _datetime_parts(match, _parse_zone(match.group("z")))
            micros = (moment - EPOCH) // _MICRO
        except (ValueError, OverflowError):
            raise BadValue("Cannot convert value to timestamp: out of range.") from None
    else:
        raise BadValue("Cannot convert value to timestamp.")
    if not _MIN_MICROS <= micros <= _MAX_MICROS:
        raise BadValue("Cannot convert value to timestamp: out of range.")
    return micros


def _to_date(value: object) -> dt.date:
    if isinstance(value, str) and (match := _DATE_RE.fullmatch(value.strip())):
        try:
            return dt.date(int(match["y"]), int(match["mo"]), int(match["d"]))
        except ValueError:
            pass
    raise BadValue("Cannot convert value to date.")


def _to_datetime(value: object) -> dt.datetime:
    if isinstance(value, str) and (match := _DATETIME_RE.fullmatch(value.strip())):
        try:
            return _datetime_parts(match, None)
        except ValueError:
            pass
    raise BadValue("Cannot convert value to datetime.")


def _to_time(value: object) -> dt.time:
    if isinstance(value, str) and (match := _TIME_RE.fullmatch(value.strip())):
        try:
            return dt.time(int(match["h"]), int(match["mi"]), int(match["s"] or 0), _fraction_micros(match["f"]))
        except ValueError:
            pass
    raise BadValue("Cannot convert value to time.")


def _to_geography(value: object) -> str:
    if isinstance(value, str):
        text = value.strip()
        if text.upper().startswith(_WKT_PREFIXES) or text.startswith("{"):
            return text
    raise BadValue("Cannot convert value to geography: expected WKT or GeoJSON.")


def _to_json(value: object) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BadValue("Cannot convert value to JSON: not valid JSON.") from None
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise BadValue("Cannot convert value to JSON: NaN and infinities are not JSON.") from None


def _range_bounds(value: object) -> tuple[object, object]:
    """``"[a, b)"`` or ``{"start": a, "end": b}`` → (a, b); ``UNBOUNDED``/``NULL``/None are open ends."""
    if isinstance(value, str) and (match := re.fullmatch(r"\[([^,]+), ([^,]+)\)", value.strip())):
        start, end = match.group(1).strip(), match.group(2).strip()
    elif isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
    else:
        raise BadValue("Cannot convert value to range.")
    return tuple(None if isinstance(b, str) and b.upper() in ("UNBOUNDED", "NULL") else b for b in (start, end))  # type: ignore[return-value]


_SCALAR_CONVERTERS: dict[str, Callable[[object], Cell]] = {
    "STRING": _to_string,
    "INTEGER": _to_integer,
    "FLOAT": _to_float,
    "NUMERIC": _to_numeric("NUMERIC"),
    "BIGNUMERIC": _to_numeric("BIGNUMERIC"),
    "BOOLEAN": _to_boolean,
    "BYTES": _to_bytes,
    "TIMESTAMP": _to_timestamp,
    "DATE": _to_date,
    "DATETIME": _to_datetime,
    "TIME": _to_time,
    "GEOGRAPHY": _to_geography,
    "JSON": _to_json,
    "INTERVAL": _to_string,
}


def convert_row(
    fields: Sequence[Field], values: object, *, ignore_unknown: bool = False
) -> tuple[Row, list[RowError]]:
    """One JSON row → (stored row, errors). Errors are ``(location, message)``, as in insertErrors."""
    errors: list[RowError] = []
    if not isinstance(values, Mapping):
        return {}, [("", "Row must be a JSON object.")]
    row = _convert_record(fields, values, "", ignore_unknown, errors)
    return row, errors


def _convert_record(
    fields: Sequence[Field], values: Mapping[str, Any], prefix: str, ignore_unknown: bool, errors: list[RowError]
) -> Row:
    by_name = {f["name"].lower(): f for f in fields}
    record: Row = {}
    for key, value in values.items():
        field = by_name.get(str(key).lower())
        if field is None:
            if not ignore_unknown:
                errors.append((f"{prefix}{key}", f"no such field: {prefix}{key}."))
            continue
        record[field["name"].lower()] = _convert_field(field, value, f"{prefix}{field['name']}", ignore_unknown, errors)
    given = {str(key).lower() for key, value in values.items() if value is not None}
    for field in fields:
        if field["mode"] == "REQUIRED" and field["name"].lower() not in given:
            errors.append((f"{prefix}{field['name']}", f"Missing required field: {prefix}{field['name']}."))
    return record


def _convert_field(field: Field, value: object, location: str, ignore_unknown: bool, errors: list[RowError]) -> Cell:
    if field["mode"] == "REPEATED":
        if value is None:
            return []
        if not isinstance(value, list):
            errors.append((location, f"Array specified for repeated field {location} is not an array."))
            return []
        items = []
        for item in value:
            if item is None:
                errors.append((location, f"Array element of field {location} cannot be null."))
                continue
            items.append(_convert_single(field, item, location, ignore_unknown, errors))
        return items
    if value is None:
        return None
    if isinstance(value, list):
        errors.append((location, f"Array specified for non-repeated field: {location}."))
        return None
    return _convert_single(field, value, location, ignore_unknown, errors)


def _convert_single(field: Field, value: object, location: str, ignore_unknown: bool, errors: list[RowError]) -> Cell:
    if field["type"] == "RANGE":
        element = field["rangeElementType"]["type"]  # normalize_fields made sure of it
        try:
            start, end = _range_bounds(value)
            bounds = tuple(None if b is None else _SCALAR_CONVERTERS[element](b) for b in (start, end))
        except BadValue as exc:
            errors.append((location, str(exc)))
            return None
        return bounds
    if field["type"] == "RECORD":
        if not isinstance(value, Mapping):
            errors.append((location, f"This field: {location} is not a record."))
            return None
        return _convert_record(field["fields"], value, f"{location}.", ignore_unknown, errors)
    try:
        return _SCALAR_CONVERTERS[field["type"]](value)
    except BadValue as exc:
        errors.append((location, str(exc)))
        return None


# ---------------------------------------------------------------------------- cell → wire


def timestamp_wire(micros: int, timestamp_format: str) -> str:
    """TIMESTAMP as tabledata.list sends it: int64 micros, ISO 8601, or float seconds (the default)."""
    if timestamp_format == "INT64":
        return str(micros)
    if timestamp_format == "ISO8601_STRING":
        return (EPOCH + micros * _MICRO).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(Decimal(micros).scaleb(-6).normalize()) if micros else "0.0"


def _float_wire(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _scalar_wire(kind: str, value: Cell, timestamp_format: str) -> str:
    if kind == "TIMESTAMP":
        return timestamp_wire(value, timestamp_format)
    if kind == "FLOAT":
        return _float_wire(value)
    if kind in ("NUMERIC", "BIGNUMERIC"):
        text = format(value.normalize(_WIDE), "f")
        return "0" if text in ("-0", "0") else text
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if kind == "BYTES":
        return base64.b64encode(value).decode("ascii")
    if kind == "DATETIME":
        return str(value.strftime("%Y-%m-%dT%H:%M:%S.%f" if value.microsecond else "%Y-%m-%dT%H:%M:%S"))
    if kind == "TIME":
        return str(value.strftime("%H:%M:%S.%f" if value.microsecond else "%H:%M:%S"))
    if kind == "DATE":
        return str(value.isoformat())
    return str(value)


def _value_wire(field: Field, value: Cell, timestamp_format: str) -> Any:
    if value is None:
        return None
    if field["type"] == "RANGE":
        element = field["rangeElementType"]["type"]  # normalize_fields made sure of it
        start, end = ("UNBOUNDED" if b is None else _scalar_wire(element, b, timestamp_format) for b in value)
        return f"[{start}, {end})"
    if field["type"] == "RECORD":
        return {"f": record_wire(field["fields"], value, timestamp_format)}
    return _scalar_wire(field["type"], value, timestamp_format)


def record_wire(fields: Sequence[Field], row: Row, timestamp_format: str) -> list[dict[str, Any]]:
    """A stored row (or record) as the ``f`` list of tabledata.list, in schema order."""
    cells = []
    for field in fields:
        value = row.get(field["name"].lower())
        if field["mode"] == "REPEATED":
            cells.append({"v": [{"v": _value_wire(field, item, timestamp_format)} for item in value or []]})
        else:
            cells.append({"v": _value_wire(field, value, timestamp_format)})
    return cells


# ---------------------------------------------------------------------------- sizes

_FIXED_SIZES = {"INTEGER": 8, "FLOAT": 8, "BOOLEAN": 1, "TIMESTAMP": 8, "DATE": 8, "DATETIME": 8,
                "TIME": 8, "NUMERIC": 16, "BIGNUMERIC": 32, "INTERVAL": 16, "RANGE": 16}


def _cell_size(field: Field, value: Cell) -> int:
    if value is None:
        return 0
    if field["type"] == "RECORD":
        return row_size(field["fields"], value)
    if field["type"] in _FIXED_SIZES:
        return _FIXED_SIZES[field["type"]]
    if isinstance(value, bytes):
        return 2 + len(value)
    return 2 + len(str(value).encode("utf-8"))


def row_size(fields: Sequence[Field], row: Row) -> int:
    """Logical bytes of a row by BigQuery's data-size rules (what ``numBytes`` adds up)."""
    total = 0
    for field in fields:
        value = row.get(field["name"].lower())
        if field["mode"] == "REPEATED":
            total += sum(_cell_size(field, item) for item in value or [])
        else:
            total += _cell_size(field, value)
    return total
