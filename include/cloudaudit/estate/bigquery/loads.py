"""Load-job sources: the multipart upload body, newline-delimited JSON and CSV, schema autodetection.

Parsers answer ``(line number, record)`` pairs and ``(line number, reason)`` errors; reasons
describe the problem, never the data.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import Any

from cloudaudit.estate.bigquery.errors import invalid
from cloudaudit.estate.bigquery.schema import Field

Record = dict[str, Any]
ParseError = tuple[int, str]

_INTEGER = re.compile(r"[+-]?\d{1,18}")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_BOOLEAN = re.compile(r"true|false", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?", re.IGNORECASE)
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d{1,6})?")
_NAME_UNSAFE = re.compile(r"[^\w]+")


def split_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], bytes]:
    """A ``multipart/related`` upload → (job metadata, data)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match or not content_type.lower().startswith("multipart/related"):
        raise invalid("Multipart upload requires a multipart/related body with a boundary.")
    delimiter = b"--" + match.group(1).encode("latin-1")
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        _head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            _head, sep, content = chunk.partition(b"\n\n")
        parts.append(content.removesuffix(b"\r\n").removesuffix(b"\n"))
    if len(parts) != 2:
        raise invalid("Multipart upload must have exactly two parts: metadata and data.")
    try:
        metadata = json.loads(parts[0])
    except ValueError:
        raise invalid("Multipart upload metadata is not valid JSON.") from None
    if not isinstance(metadata, dict):
        raise invalid("Multipart upload metadata must be a JSON object.")
    return metadata, parts[1]


def _text(data: bytes, config: Mapping[str, Any]) -> str:
    encoding = str(config.get("encoding") or "UTF-8").upper()
    codec = "latin-1" if encoding in ("ISO-8859-1", "LATIN1") else "utf-8-sig"
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise invalid(f"Error while reading data: the data is not valid {encoding}.") from None


def json_records(data: bytes, config: Mapping[str, Any]) -> tuple[list[tuple[int, Record]], list[ParseError]]:
    """Newline-delimited JSON: one object per non-blank line."""
    records: list[tuple[int, Record]] = []
    errors: list[ParseError] = []
    for number, line in enumerate(_text(data, config).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            errors.append((number, "JSON parsing error in row: not valid JSON."))
            continue
        if isinstance(value, dict):
            records.append((number, value))
        else:
            errors.append((number, "JSON parsing error in row: the row is not a JSON object."))
    return records, errors


def _csv_reader(data: bytes, config: Mapping[str, Any]) -> list[list[str]]:
    delimiter = str(config.get("fieldDelimiter") or ",")
    delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter.lower(), delimiter)
    quote = config.get("quote", '"')
    reader = csv.reader(
        io.StringIO(_text(data, config), newline=""),
        delimiter=delimiter[0],
        quotechar=quote[0] if quote else None,
        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
    )
    try:
        return [row for row in reader if row]
    except csv.Error:
        raise invalid("Error while reading data: the CSV data could not be parsed.") from None


def csv_records(
    data: bytes, config: Mapping[str, Any], fields: list[Field]
) -> tuple[list[tuple[int, Record]], list[ParseError]]:
    """CSV rows mapped onto the schema's columns by position; empty or ``nullMarker`` cells are null."""
    rows = _csv_reader(data, config)[int(config.get("skipLeadingRows") or 0):]
    null_marker = config.get("nullMarker")
    jagged = bool(config.get("allowJaggedRows"))
    records: list[tuple[int, Record]] = []
    errors: list[ParseError] = []
    for number, row in enumerate(rows, start=1):
        if len(row) > len(fields) or (len(row) < len(fields) and not jagged):
            errors.append((number, f"CSV table references column position {len(row) - 1}, but line contains a different number of columns than the schema ({len(fields)})."))
            continue
        record: Record = {}
        for field, cell in zip(fields, row, strict=False):
            if cell == null_marker or (cell == "" and field["type"] != "STRING"):
                record[field["name"]] = None
            else:
                record[field["name"]] = cell
        records.append((number, record))
    return records, errors


# ---------------------------------------------------------------------------- autodetection


def _scalar_type(value: object) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "FLOAT"
    text = str(value).strip()
    if _TIMESTAMP.fullmatch(text):
        return "TIMESTAMP"
    if _DATE.fullmatch(text):
        return "DATE"
    if _TIME.fullmatch(text):
        return "TIME"
    return "STRING"


def _merge_types(a: str | None, b: str) -> str:
    if a is None or a == b:
        return b
    if {a, b} == {"INTEGER", "FLOAT"}:
        return "FLOAT"
    return "STRING"


def _detect_into(fields: dict[str, Field], record: Mapping[str, Any]) -> None:
    for key, value in record.items():
        if value is None or value == [] or value == {}:
            fields.setdefault(key, {"name": key, "type": None, "mode": "NULLABLE"})
            continue
        field = fields.setdefault(key, {"name": key, "type": None, "mode": "NULLABLE"})
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list):
            field["mode"] = "REPEATED"
        for item in items:
            if isinstance(item, dict):
                field["type"] = "RECORD" if field["type"] in (None, "RECORD") else "STRING"
                _detect_into(field.setdefault("_sub", {}), item)
            elif item is not None:
                field["type"] = _merge_types(field["type"], _scalar_type(item))


def _finish(fields: dict[str, Field]) -> list[Field]:
    finished = []
    for field in fields.values():
        sub = field.pop("_sub", None)
        if field["type"] == "RECORD" and sub:
            field["fields"] = _finish(sub)
        elif field["type"] in (None, "RECORD"):
            field["type"] = "STRING"
        finished.append(field)
    return finished


def detect_json_schema(records: list[tuple[int, Record]]) -> list[Field]:
    """Google-style autodetect over JSON records: scalar kinds, RECORDs, REPEATED, in first-seen order."""
    fields: dict[str, Field] = {}
    for _, record in records:
        _detect_into(fields, record)
    return _finish(fields)


def _csv_column_type(cells: list[str]) -> str:
    kinds: str | None = None
    for cell in cells:
        if cell == "":
            continue
        text = cell.strip()
        if _INTEGER.fullmatch(text):
            kind = "INTEGER"
        elif _FLOAT.fullmatch(text):
            kind = "FLOAT"
        elif _BOOLEAN.fullmatch(text):
            kind = "BOOLEAN"
        else:
            kind = _scalar_type(text)
        kinds = _merge_types(kinds, kind)
    return kinds or "STRING"


def detect_csv_schema(data: bytes, config: dict[str, Any]) -> list[Field]:
    """Column names from the header (when ``skipLeadingRows`` names one, or the first row looks like
    one), else ``string_field_N``; types from the data rows. Sets ``skipLeadingRows`` when it finds
    a header, as Google does."""
    rows = _csv_reader(data, config)
    if not rows:
        return []
    width = max(len(r) for r in rows)
    skip = int(config.get("skipLeadingRows") or 0)
    header: list[str] | None = rows[skip - 1] if skip else None
    if header is None and len(rows) > 1:
        body_types = [_csv_column_type([r[i] for r in rows[1:] if i < len(r)]) for i in range(width)]
        head_types = [_csv_column_type([rows[0][i]]) if i < len(rows[0]) else "STRING" for i in range(width)]
        if all(t == "STRING" for t in head_types) and any(t != "STRING" for t in body_types):
            header, skip = rows[0], 1
            config["skipLeadingRows"] = "1"
    data_rows = rows[skip:]
    fields = []
    for i in range(width):
        raw = header[i] if header and i < len(header) and header[i].strip() else f"string_field_{i}"
        name = _NAME_UNSAFE.sub("_", raw.strip()) or f"string_field_{i}"
        if name[0].isdigit():
            name = f"_{name}"
        fields.append({"name": name, "type": _csv_column_type([r[i] for r in data_rows if i < len(r)]), "mode": "NULLABLE"})
    return fields
