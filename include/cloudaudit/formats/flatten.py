"""Nested records → key paths: ``customer.contacts[].phone``.

Objects become their own paths, array items share the ``[]`` path, and a scalar at a
record's root goes to ``(text)``. An object used as a map keyed by data (``mapkeys``) has its
keys written ``<key>`` (``customers.<key>.phone``), its keys read as the values of the field
``customers.<key>`` and its scalar values as ``customers.<value>``: a field name leaves the
extract task, so it must not carry PII.
"""

from __future__ import annotations

import itertools
from typing import Any

from cloudaudit.formats.mapkeys import MAP_KEY, MAP_VALUE, is_data_map
from cloudaudit.formats.values import FieldTable, format_value
from cloudaudit.model import TEXT_FIELD

ARRAY = "[]"


def flatten_record(table: FieldTable, record: Any, path: str = "", *, data_keys: bool = True,
                   as_map: bool = False) -> None:
    """Add every leaf of ``record`` to ``table`` under its key path.

    ``data_keys``: keys may be data (JSON maps), so objects keyed by data become ``<key>`` maps;
    a schema's names (Parquet) are taken as they are. ``as_map``: the record itself is a map
    (one entry of a stream of them, see ``mapkeys.is_entry_stream``). Iterative (no recursion limit on deep
    documents); each array and map contributes at most ``max_rows`` items, and the walk stops
    once ``max_rows * max_fields`` values were seen.
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
        prefix = f"{at}." if at else ""
        if isinstance(value, dict) and data_keys and ((as_map and value is record) or is_data_map(value)):
            entries = list(itertools.islice(value.items(), limits.max_rows))
            if len(value) > limits.max_rows:
                table.truncated = True
            keys_field, values_field = prefix + MAP_KEY, prefix + MAP_VALUE
            for key, _ in entries:
                table.add(keys_field, format_value(str(key)))
            budget -= len(entries)
            stack.extend((keys_field if isinstance(child, dict | list) else values_field, child)
                         for _, child in reversed(entries))
        elif isinstance(value, dict):
            stack.extend((prefix + str(key), child) for key, child in reversed(value.items()))
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
