"""Table schemas as BigQuery keeps them: legacy type names, explicit modes, extra keys verbatim.

A schema is the JSON list of field objects (``{"name", "type", "mode", "fields",
"policyTags", "description", ...}``). Google answers with legacy type names (``INT64`` is
returned as ``INTEGER``) and keeps every other key, ``policyTags`` included, at any depth.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from cloudaudit_demo.estate.bigquery.errors import invalid

Field = dict[str, Any]

TYPE_ALIASES = {
    "INT64": "INTEGER",
    "FLOAT64": "FLOAT",
    "BOOL": "BOOLEAN",
    "STRUCT": "RECORD",
    "DECIMAL": "NUMERIC",
    "BIGDECIMAL": "BIGNUMERIC",
}
TYPES = frozenset(
    {
        "STRING", "BYTES", "INTEGER", "FLOAT", "NUMERIC", "BIGNUMERIC", "BOOLEAN", "TIMESTAMP",
        "DATE", "TIME", "DATETIME", "GEOGRAPHY", "RECORD", "JSON", "INTERVAL", "RANGE",
    }
)
MODES = frozenset({"NULLABLE", "REQUIRED", "REPEATED"})
MAX_NAME_LENGTH = 300
MAX_DEPTH = 15
# Flexible column names: letters, marks, numbers, connectors, dashes, spaces and these symbols.
_NAME_SYMBOLS = frozenset("&%=+:'<>#|")
_NAME_CATEGORIES = ("L", "M", "N", "Pc", "Pd", "Zs")
_RESERVED_PREFIXES = ("_TABLE_", "_FILE_", "_PARTITION", "_ROW_TIMESTAMP", "__ROOT__", "_COLIDENTIFIER")


def canonical_type(name: object) -> str:
    """``int64`` → ``INTEGER``; raises ``invalid`` for a type BigQuery does not have."""
    upper = str(name).upper()
    upper = TYPE_ALIASES.get(upper, upper)
    if upper not in TYPES:
        raise invalid(f"Invalid field type: {str(name)[:40]}.")
    return upper


def _check_name(name: object, path: str) -> str:
    if not isinstance(name, str) or not name:
        raise invalid(f"Empty or missing field name in schema at {path or 'top level'}.")
    if len(name) > MAX_NAME_LENGTH:
        raise invalid(f"Field name is too long at {path or 'top level'}.")
    if name.upper().startswith(_RESERVED_PREFIXES):
        raise invalid(f"Invalid field name \"{name}\". Field names cannot use a reserved prefix.")
    for char in name:
        if char in _NAME_SYMBOLS or unicodedata.category(char).startswith(_NAME_CATEGORIES):
            continue
        raise invalid(f"Invalid field name \"{name}\". Field names may contain letters, numbers, underscores, dashes and spaces.")
    return name


def normalize_fields(fields: object, *, path: str = "", depth: int = 1) -> list[Field]:
    """Validate a list of field objects and answer it the way tables.get shows it."""
    if not isinstance(fields, list):
        raise invalid(f"Schema fields must be a list at {path or 'top level'}.")
    if depth > MAX_DEPTH:
        raise invalid(f"Schema nesting exceeds {MAX_DEPTH} levels at {path}.")
    seen: set[str] = set()
    normalized: list[Field] = []
    for raw in fields:
        if not isinstance(raw, dict):
            raise invalid(f"Schema field must be an object at {path or 'top level'}.")
        name = _check_name(raw.get("name"), path)
        full = f"{path}.{name}" if path else name
        if name.lower() in seen:
            raise invalid(f"Field {full} already exists in schema")
        seen.add(name.lower())
        normalized.append(_normalize_field(raw, full, depth))
    return normalized


def _normalize_field(raw: Field, full: str, depth: int) -> Field:
    field = {key: value for key, value in raw.items() if value is not None}  # null means "not set"
    if "type" not in raw:
        raise invalid(f"Field {full} is missing a type.")
    field["type"] = canonical_type(raw["type"])
    mode = str(raw.get("mode") or "NULLABLE").upper()
    if mode not in MODES:
        raise invalid(f"Invalid mode for field {full}.")
    field["mode"] = mode
    if field["type"] == "RECORD":
        if not raw.get("fields"):
            raise invalid(f"Field {full} is type RECORD but has no schema")
        field["fields"] = normalize_fields(raw["fields"], path=full, depth=depth + 1)
    elif field["type"] == "RANGE":
        spec = raw.get("rangeElementType")
        element = str(spec.get("type", "")).upper() if isinstance(spec, dict) else ""
        if element not in ("DATE", "DATETIME", "TIMESTAMP"):
            raise invalid(f"Field {full} is type RANGE and needs rangeElementType DATE, DATETIME or TIMESTAMP.")
        field["rangeElementType"] = {"type": element}
    if field["type"] != "RECORD" and raw.get("fields"):
        raise invalid(f"Field {full} has subfields but is not of type RECORD.")
    elif field["type"] != "RECORD":
        field.pop("fields", None)
    tags = raw.get("policyTags")
    if tags is not None:
        names = tags.get("names", []) if isinstance(tags, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise invalid(f"Invalid policyTags for field {full}.")
        if len(names) > 1:
            raise invalid(f"Field {full} can have at most one policy tag.")
        if not names:
            field.pop("policyTags")  # an empty list clears the tag, as on Google
    return field


def normalize_schema(schema: object) -> list[Field]:
    """``{"fields": [...]}`` (or ``None``) → the normalised field list."""
    if schema is None:
        return []
    if not isinstance(schema, dict):
        raise invalid("Schema must be an object with a fields list.")
    return normalize_fields(schema.get("fields") or [])


def check_compatible(old: Sequence[Field], new: Sequence[Field], *, path: str = "") -> None:
    """Refuse the schema changes Google refuses: a dropped field, a changed type, a stricter mode.

    Allowed: new NULLABLE or REPEATED fields, REQUIRED relaxed to NULLABLE, and any change
    of description or policy tags.
    """
    by_name = {f["name"].lower(): f for f in new}
    for before in old:
        full = f"{path}.{before['name']}" if path else before["name"]
        after = by_name.get(before["name"].lower())
        if after is None:
            raise invalid(f"Provided Schema does not match Table. Field {full} is missing in new schema")
        if after["type"] != before["type"]:
            raise invalid(f"Provided Schema does not match Table. Field {full} has changed type from {before['type']} to {after['type']}")
        if after["mode"] != before["mode"] and not (before["mode"] == "REQUIRED" and after["mode"] == "NULLABLE"):
            raise invalid(f"Provided Schema does not match Table. Field {full} has changed mode from {before['mode']} to {after['mode']}")
        if before["type"] == "RECORD":
            check_compatible(before["fields"], after["fields"], path=full)
    old_names = {f["name"].lower() for f in old}
    for added in new:
        if added["name"].lower() not in old_names and added["mode"] == "REQUIRED":
            full = f"{path}.{added['name']}" if path else added["name"]
            raise invalid(f"Provided Schema does not match Table. Cannot add required field {full}")


def select_fields(fields: Sequence[Field], selected: str | None) -> list[Field]:
    """The schema restricted to ``selectedFields`` (``a,b.c``), in table order, as Google returns it."""
    if not selected:
        return list(fields)
    paths = [p.strip() for p in selected.split(",") if p.strip()]
    return _select(fields, [p.split(".") for p in paths], "")


def _select(fields: Sequence[Field], paths: list[list[str]], prefix: str) -> list[Field]:
    wanted: dict[str, list[list[str]]] = {}
    for parts in paths:
        wanted.setdefault(parts[0].lower(), []).append(parts[1:])
    known = {f["name"].lower() for f in fields}
    for name in wanted:
        if name not in known:
            raise invalid(f"Field {prefix}{name} in selected fields is not found in the table schema")
    chosen: list[Field] = []
    for field in fields:
        rests = wanted.get(field["name"].lower())
        if rests is None:
            continue
        if any(not rest for rest in rests) or field["type"] != "RECORD":
            chosen.append(field)
        else:
            sub = _select(field["fields"], rests, f"{prefix}{field['name']}.")
            chosen.append({**field, "fields": sub})
    return chosen
