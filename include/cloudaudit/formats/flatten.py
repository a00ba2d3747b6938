"""Nested records → key paths: ``customer.contacts[].phone``.

Objects become their own paths, array items share the ``[]`` path, and a scalar at a
record's root goes to ``(text)``. Keys that look like data (an e-mail or a phone number used
as a map key) become ``*``: a field name leaves the extract task, so it must not carry PII.
"""

from __future__ import annotations

from typing import Any

from cloudaudit.formats.delimited import looks_like_value
from cloudaudit.formats.sample import TEXT_FIELD
from cloudaudit.formats.values import FieldTable, format_value

ARRAY = "[]"
DATA_KEY = "*"


def key_name(key: object) -> str:
    """A map key as a path segment; keys that look like data values become ``*``.

    >>> key_name("phone"), key_name("taro@example.com"), key_name("0901234567")
    ('phone', '*', '*')
    """
    name = str(key)
    return DATA_KEY if looks_like_value(name) else name


def flatten_record(table: FieldTable, record: Any, path: str = "") -> None:
    """Add every leaf of ``record`` to ``table`` under its key path.

    Iterative (no recursion limit on deep documents); each array contributes at most
    ``max_rows`` items, and the walk stops once ``max_rows * max_fields`` values were seen.
    """
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
            stack.extend((prefix + key_name(key), child) for key, child in reversed(value.items()))
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
