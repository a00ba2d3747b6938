"""BigQuery schema and rows → ``config["schema"]`` and a ``Sample`` (pure, no I/O).

Field names follow the SPEC: nested RECORD columns as dot paths; a REPEATED column adds
``[]`` as JSON arrays do (``customer.contacts[].phone``, ``tags[]``). Schema entries use the
plain dot path (``customer.contacts.phone``), as BigQuery names columns;
``schema_column(field)`` maps a sample field back to its schema entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from cloudaudit.model import Sample

SAMPLE_FORMAT = "bigquery"
_RECORD_TYPES = frozenset({"RECORD", "STRUCT"})


class SchemaFieldLike(Protocol):
    """What we read of ``google.cloud.bigquery.SchemaField``."""

    @property
    def name(self) -> str: ...
    @property
    def field_type(self) -> str | None: ...
    @property
    def mode(self) -> str | None: ...
    @property
    def fields(self) -> Sequence[SchemaFieldLike]: ...
    @property
    def policy_tags(self) -> Any: ...


F = TypeVar("F", bound=SchemaFieldLike)


def schema_entries(fields: Sequence[SchemaFieldLike], prefix: str = "") -> list[dict[str, Any]]:
    """Every column, nested ones after their parent, with its policy tags (resource names)."""
    out: list[dict[str, Any]] = []
    for field in fields:
        name = f"{prefix}{field.name}"
        tags = field.policy_tags
        out.append({"name": name, "type": str(field.field_type or ""), "mode": _mode(field),
                    "policy_tags": sorted(str(t) for t in (tags.names if tags is not None else ()))})
        if field.fields:
            out.extend(schema_entries(field.fields, f"{name}."))
    return out


def schema_column(field: str) -> str:
    """The schema entry a sample field belongs to.

    >>> schema_column("customer.contacts[].phone"), schema_column("tags[]")
    ('customer.contacts.phone', 'tags')
    """
    return field.replace("[]", "")


def leaf_paths(fields: Sequence[SchemaFieldLike], prefix: str = "") -> list[str]:
    """Sample field names of the leaf columns, in schema order."""
    out: list[str] = []
    for field in fields:
        path = f"{prefix}{field.name}{'[]' if _mode(field) == 'REPEATED' else ''}"
        if _is_record(field):
            out.extend(leaf_paths(field.fields, f"{path}."))
        else:
            out.append(path)
    return out


def columns_within(fields: Sequence[F], max_fields: int) -> list[F] | None:
    """Top-level columns whose leaves fit in ``max_fields``, for ``selectedFields``; None when all fit.

    A column too wide to fit is passed over for the narrower ones after it; the first column
    is kept even alone over the limit (``rows_to_sample`` cuts its leaves).
    """
    chosen: list[F] = []
    used = 0
    for field in fields:
        width = len(leaf_paths([field]))
        if chosen and used + width > max_fields:
            continue
        chosen.append(field)
        used += width
    return None if len(chosen) == len(fields) else chosen


def rows_to_sample(fields: Sequence[SchemaFieldLike], rows: Iterable[Mapping[str, Any]], *,
                   max_fields: int, max_cell_chars: int, total_rows: int | None = None) -> Sample:
    """Values by leaf column, stringified, ``None`` for NULL; at most ``max_fields`` columns."""
    kept = leaf_paths(fields)[:max_fields]
    values: dict[str, list[str | None]] = {path: [] for path in kept}
    count = 0
    for row in rows:
        count += 1
        for field in fields:
            _collect(field, row.get(field.name), field.name, values, max_cell_chars)
    truncated = total_rows is not None and total_rows > count
    return Sample(format=SAMPLE_FORMAT, fields=values, rows=count, truncated=truncated)


def _collect(field: SchemaFieldLike, value: Any, path: str, out: dict[str, list[str | None]],
             max_chars: int) -> None:
    if _mode(field) == "REPEATED":
        items = value if isinstance(value, list) else []  # a NULL array reads as []
        for item in items:
            _collect_one(field, item, f"{path}[]", out, max_chars)
    else:
        _collect_one(field, value, path, out, max_chars)


def _collect_one(field: SchemaFieldLike, value: Any, path: str, out: dict[str, list[str | None]],
                 max_chars: int) -> None:
    if _is_record(field):
        record = value if isinstance(value, Mapping) else {}  # a NULL record: its leaves are NULL
        for child in field.fields:
            _collect(child, record.get(child.name), f"{path}.{child.name}", out, max_chars)
        return
    if path in out:  # columns past max_fields are not kept
        text = cell_text(value)
        out[path].append(text[:max_chars] if text is not None else None)


def cell_text(value: Any) -> str | None:
    """A cell as detection sees it: text, ``None`` for NULL.

    >>> cell_text(None), cell_text(True), cell_text(Decimal("1.50")), cell_text(dt.date(2001, 2, 3))
    (None, 'true', '1.50', '2001-02-03')
    >>> cell_text({"b": 1, "a": "ä"})
    '{"a": "ä", "b": 1}'
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping | list):  # JSON and RANGE columns
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return str(value)


def _mode(field: SchemaFieldLike) -> str:
    return str(field.mode or "NULLABLE").upper()


def _is_record(field: SchemaFieldLike) -> bool:
    return str(field.field_type or "").upper() in _RECORD_TYPES
