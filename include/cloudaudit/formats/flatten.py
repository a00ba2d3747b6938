"""Nested records → key paths: ``customer.contacts[].phone``.

Objects become their own paths, array items share the ``[]`` path, and a scalar at a
record's root goes to ``(text)``. Keys that look like data (an e-mail or a phone number used
as a map key) become ``*``: a field name leaves the extract task, so it must not carry PII.
"""

from __future__ import annotations

from typing import Any

from cloudaudit.formats.values import FieldTable, format_value
from cloudaudit.model import TEXT_FIELD

ARRAY = "[]"
DATA_KEY = "*"


_MIN_DIGITS_OF_DATA_KEY = 6  # phone numbers, IDs, dates; not "2024" or "address_line_1"
_MAX_KEY_CHARS = 64


def key_name(key: object) -> str:
    """A map key as a path segment; keys that look like data values become ``*``.

    >>> [key_name(k) for k in ("phone", "2024", "taro@example.com", "0901234567", "2024-01-31")]
    ['phone', '2024', '*', '*', '*']
    """
    name = str(key)
    digits = sum(char.isdigit() for char in name)
    if "@" in name or digits >= _MIN_DIGITS_OF_DATA_KEY or len(name) > _MAX_KEY_CHARS:
        return DATA_KEY
    return name


def flatten_record(table: FieldTable, record: Any, path: str = "", *, data_keys: bool = True) -> None:
    """Add every leaf of ``record`` to ``table`` under its key path.

    ``data_keys``: keys may be data (JSON maps), so ``key_name`` screens them; a schema's
    names (Parquet) are taken as they are. Iterative (no recursion limit on deep documents);
    each array contributes at most ``max_rows`` items, and the walk stops once
    ``max_rows * max_fields`` values were seen.
    """
    name_of = key_name if data_keys else str
    limits = table.limits
    budget = limits.max_rows * limits.max_fields
    stack: list[tuple[str, Any]] = [(path, record)]
    while stack:
        budget -= 1
        if budget < 0:
            table.truncated = True
            return
        at, value = stack.pop()
        if isinstance(value, dict):
            prefix = f"{at}." if at else ""
            stack.extend((prefix + name_of(key), child) for key, child in reversed(value.items()))
        elif isinstance(value, list | tuple):
            if len(value) > limits.max_rows:
                table.truncated = True
            items = value[: limits.max_rows]
            stack.extend((at + ARRAY, _map_entry(item)) for item in reversed(items))
        else:
            table.add(at or TEXT_FIELD, format_value(value))


def _map_entry(item: Any) -> Any:
    # pyarrow returns a map column's entries as (key, value) tuples.
    if isinstance(item, tuple) and len(item) == 2:
        return {"key": item[0], "value": item[1]}
    return item
