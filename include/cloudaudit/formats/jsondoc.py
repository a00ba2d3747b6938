"""JSON documents and JSON Lines into key-path fields.

A top-level array is read as records (paths start at the records' keys); a single object is
one record. Numbers keep their written digits (``Decimal``), so 1234567890123.0 reads
``1234567890123``, never ``1.234567890123e12``. A document cut short by a range read keeps its
finished members and items: a value the cut may have shortened is dropped, never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.delimited import add_rows
from cloudaudit.formats.flatten import flatten_record
from cloudaudit.formats.mapkeys import is_entry_stream
from cloudaudit.formats.values import FieldTable, format_value

_DECODER = json.JSONDecoder(parse_float=Decimal)
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LINE = re.compile(r"[^\n]+")
_MAX_DEPTH = 200
_MISSING = object()  # no value could be read at this position
_AFTER_SCALAR = frozenset(",}] \t\r\n")


def parse_json(text: str, *, limits: Limits, truncated: bool) -> tuple[str, FieldTable]:
    """A JSON document (or, if it turns out to hold one value per line, JSON Lines).

    Returns the format actually read (``json`` or ``jsonl``) and the fields.
    """
    if truncated:
        document = partial_json(text, max_items=limits.max_rows + 1)
        if document is _MISSING:
            raise SampleSkipped("json: corrupt or unreadable")
        return "json", _records(document, limits, truncated=True)
    several_values = False
    try:
        document = _DECODER.decode(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        several_values, document = exc.msg == "Extra data", _MISSING
    except (ValueError, RecursionError):  # over-long integers, absurd nesting
        document = _MISSING
    if several_values:  # JSON Lines named .json
        return "jsonl", parse_jsonl(text, limits=limits, truncated=False)
    if document is _MISSING:  # raised outside the handler: no chained error quoting the text
        raise SampleSkipped("json: corrupt or unreadable")
    return "json", _records(document, limits, truncated=False)


def _records(document: Any, limits: Limits, *, truncated: bool) -> FieldTable:
    table = FieldTable(limits, truncated=truncated)
    if _is_table(document):
        add_rows(table, [[format_value(cell) or "" for cell in row] for row in document[: limits.max_rows + 2]])
        table.truncated = table.truncated or len(document) > limits.max_rows + 2
        return table
    records = document if isinstance(document, list) else [document]
    if len(records) > limits.max_rows:
        table.truncated = True
    _flatten_all(table, records[: limits.max_rows])
    return table


def _is_table(document: Any) -> bool:
    """An array of arrays of scalars (``[["name", "phone"], ["Taro", "03..."]]``, as spreadsheet
    APIs return values) reads like CSV: a header row names the columns."""
    return (isinstance(document, list) and bool(document)
            and all(isinstance(row, list) and not any(isinstance(cell, dict | list) for cell in row)
                    for row in document))


def parse_jsonl(text: str, *, limits: Limits, truncated: bool) -> FieldTable:
    """One JSON value per line; unparsable lines are skipped, all of them unparsable is corrupt."""
    if truncated:
        text = text[: text.rfind("\n") + 1]  # the range read cut the last line
    table = FieldTable(limits, truncated=truncated)
    records: list[Any] = []
    bad = 0
    for line in _lines(text):
        if len(records) >= limits.max_rows:
            table.truncated = True
            break
        try:
            records.append(_DECODER.decode(line))
        except (ValueError, RecursionError):
            bad += 1
    if bad and not records:
        raise SampleSkipped("jsonl: corrupt or unreadable")
    _flatten_all(table, records)
    return table


def _flatten_all(table: FieldTable, records: list[Any]) -> None:
    """Records into ``table``; a stream of one-entry maps (``{"<name>": {...}}`` per line) is
    read as one map split over records: its keys are ``<key>``, as in one object."""
    entries = is_entry_stream(records)
    for record in records:
        flatten_record(table, record, as_map=entries)
        table.rows += 1


def _lines(text: str) -> Iterator[str]:
    """Non-blank lines split on ``\\n`` only (U+2028 may appear raw inside JSON strings)."""
    for match in _LINE.finditer(text):  # runs of empty lines are skipped in C, not one by one
        line = match.group().strip()
        if line:
            yield line.lstrip("\ufeff")


def partial_json(text: str, *, max_items: int) -> Any:
    """The finished part of a JSON document cut short, or ``_MISSING`` if none.

    A cut item of an array is dropped (a partial record); a cut member of an object is kept
    when it is an object or array, with its own finished parts. Arrays stop after ``max_items``.

    >>> partial_json('{"a": 1, "b": [{"c": 2}, {"c": 3}, {"c"', max_items=10)
    {'a': 1, 'b': [{'c': 2}, {'c': 3}]}
    >>> partial_json('[{"phone": "0312"}, {"phone": 9012', max_items=10)
    [{'phone': '0312'}]
    """
    value, _, _ = _value(text, _skip(text, 0), 0, max_items)
    return value


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _value(text: str, pos: int, depth: int, max_items: int) -> tuple[Any, int, bool]:
    """(value or _MISSING, end position, whether the value is complete)."""
    if pos >= len(text) or depth > _MAX_DEPTH:
        return _MISSING, pos, False
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError):
        if text[pos] == "{":
            return _object(text, pos, depth, max_items)
        if text[pos] == "[":
            return _array(text, pos, depth, max_items)
        return _MISSING, pos, False
    if text[pos] not in "{[\"" and (end >= len(text) or text[end] not in _AFTER_SCALAR):
        return _MISSING, end, False  # a number cut short ("1.5e+" read as 1.5) or one that goes on past the cut
    return value, end, True


def _object(text: str, pos: int, depth: int, max_items: int) -> tuple[dict[str, Any], int, bool]:
    members: dict[str, Any] = {}
    pos = _skip(text, pos + 1)
    while pos < len(text):
        char = text[pos]
        if char == "}":
            return members, pos + 1, True
        if char == ",":
            pos = _skip(text, pos + 1)
            continue
        try:
            key, pos = _DECODER.raw_decode(text, pos)
        except ValueError:
            break
        pos = _skip(text, pos)
        if not isinstance(key, str) or pos >= len(text) or text[pos] != ":":
            break
        value, pos, complete = _value(text, _skip(text, pos + 1), depth + 1, max_items)
        if complete or isinstance(value, dict | list):
            members[key] = value
        if not complete:
            break
        pos = _skip(text, pos)
    return members, pos, False


def _array(text: str, pos: int, depth: int, max_items: int) -> tuple[list[Any], int, bool]:
    items: list[Any] = []
    pos = _skip(text, pos + 1)
    while pos < len(text) and len(items) < max_items:
        char = text[pos]
        if char == "]":
            return items, pos + 1, True
        if char == ",":
            pos = _skip(text, pos + 1)
            continue
        value, pos, complete = _value(text, pos, depth + 1, max_items)
        if not complete:
            break
        items.append(value)
        pos = _skip(text, pos)
    return items, pos, False
