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

from cloudaudit_demo.estate.bigquery.errors import invalid
from cloudaudit_demo.estate.bigquery.schema import Field

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
        # the line break before the next delimiter belongs to the delimiter, not the data
        parts.append(content[:-2] if content.endswith(b"\r\n") else content.removesuffix(b"\n"))
    if len(parts) != 2:
        raise invalid("Multipart upload must have exactly two parts: metadata and data.")
    try:
        metadata = json.loads(parts[0])
    except ValueError:
        raise invalid("Multipart upload metadata is not valid JSON.") from None
    if not isinstance(metadata, dict):
        raise invalid("Multipart upload metadata must be a JSON object.")
    return metadata, parts[1]


def int_option(config: Mapping[str, Any], key: str) -> int:
    """A non-negative integer option (the API sends them as strings); ``invalid`` otherwise."""
    raw = config.get(key)
    if raw is None or raw == "":
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit():
        raise invalid(f"Invalid value for {key}: expected a non-negative integer.")
    return int(raw)


def _char_option(config: Mapping[str, Any], key: str, default: str) -> str:
    raw = config.get(key, default)
    if raw is None:
        return default
    if not isinstance(raw, str):
        raise invalid(f"Invalid value for {key}: expected a string.")
    return raw


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
    delimiter = _char_option(config, "fieldDelimiter", ",") or ","
    delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter.lower(), delimiter)
    quote = _char_option(config, "quote", '"')
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
    rows = _csv_reader(data, config)[int_option(config, "skipLeadingRows"):]
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
    skip = int_option(config, "skipLeadingRows")
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


# ---------------------------------------------------------------------------- Parquet (optional)


def parquet_records(data: bytes) -> tuple[list[tuple[int, Record]], list[Field]]:
    """A Parquet file (``load_table_from_dataframe``'s upload) → records and its self-described schema.

    pyarrow is imported here only: the emulator starts without it, and answers a failed job
    for Parquet loads when it is missing.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise invalid("PARQUET loads need pyarrow installed next to the emulator.") from None
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError):
        raise invalid("Error while reading data: not a readable Parquet file.") from None
    table = table.select([n for n in table.column_names if not n.startswith("__index_level_")])
    fields = [_arrow_field(f.name, f.type) for f in table.schema]
    records = [(number, _jsonable(row)) for number, row in enumerate(table.to_pylist(), start=1)]
    return records, fields


def _arrow_field(name: str, arrow_type: Any) -> Field:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return _arrow_field(name, arrow_type.value_type)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        inner = _arrow_field(name, arrow_type.value_type)
        if inner["mode"] == "REPEATED":
            raise invalid(f"Parquet column {name} is a list of lists, which BigQuery cannot store.")
        return {**inner, "mode": "REPEATED"}
    if pa.types.is_struct(arrow_type):
        subfields = [_arrow_field(arrow_type.field(i).name, arrow_type.field(i).type) for i in range(arrow_type.num_fields)]
        return {"name": name, "type": "RECORD", "mode": "NULLABLE", "fields": subfields}
    return {"name": name, "type": _arrow_scalar_type(arrow_type), "mode": "NULLABLE"}


def _arrow_scalar_type(arrow_type: Any) -> str:
    import pyarrow as pa

    checks = (
        (pa.types.is_boolean, "BOOLEAN"), (pa.types.is_integer, "INTEGER"), (pa.types.is_floating, "FLOAT"),
        (pa.types.is_date, "DATE"), (pa.types.is_time, "TIME"),
        (pa.types.is_binary, "BYTES"), (pa.types.is_large_binary, "BYTES"), (pa.types.is_fixed_size_binary, "BYTES"),
    )
    for check, name in checks:
        if check(arrow_type):
            return name
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP" if arrow_type.tz else "DATETIME"
    if pa.types.is_decimal(arrow_type):
        return "NUMERIC" if arrow_type.precision <= 38 and arrow_type.scale <= 9 else "BIGNUMERIC"
    return "STRING"


def _jsonable(value: Any) -> Any:
    """Python values from pyarrow → the JSON-ish values the row converters take."""
    import base64
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value
