"""The last line of defence for field names: no segment a PII detector accepts leaves formats.

Parsers already keep data out of names (``mapkeys`` for JSON maps, ``header`` for a first row
of data); whatever still reaches a field name (an XLSX header, a key no rule caught) is
checked here, segment by segment (``a.b[].c``, ``Sheet!Header``). A segment that a validating
detector accepts, or that reads as a person's name under a name that says it holds people
(``owners.Taro``), becomes ``<key>``; fields that then share a name share their values.
"""

from __future__ import annotations

import functools
import re

from cloudaudit.formats.mapkeys import MAP_KEY, MAP_VALUE
from cloudaudit.formats.sample import TEXT_FIELD

_SEPARATOR = re.compile(r"(\.|!|\[\])")
_KEEP = frozenset({"", MAP_KEY, MAP_VALUE, TEXT_FIELD})
# One ASCII token (``city``, ``zip_code``, ``PostalCode``): a key as code writes it. A person's
# name has a space, or is in a script written without spaces (``山田太郎``).
_CODE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def safe_field_names(fields: dict[str, list[str | None]], max_rows: int) -> dict[str, list[str | None]]:
    """``fields`` with every data-like name segment generalised to ``<key>`` (see the module).

    >>> safe_field_names({"owners.taro@example.com.phone": ["1"], "owners.ab@example.org.phone": ["2"]}, 10)
    {'owners.<key>.phone': ['1', '2']}
    """
    out: dict[str, list[str | None]] = {}
    for name, values in fields.items():
        safe = safe_name(name)
        if safe == name and name not in out:
            out[name] = values
            continue
        merged = out.setdefault(safe, [])
        merged.extend(values[: max(0, max_rows - len(merged))])
    return out


@functools.lru_cache(maxsize=4096)
def safe_name(name: str) -> str:
    """One field name with its data-like segments written ``<key>``."""
    parts = _SEPARATOR.split(name)
    parent = ""
    for index in range(0, len(parts), 2):  # even indexes are segments, odd ones separators
        segment = parts[index]
        if segment not in _KEEP and _is_data(segment, parent):
            parts[index] = MAP_KEY
        if segment:
            parent = segment
    return "".join(parts)


def _is_data(segment: str, parent: str) -> bool:
    from cloudaudit.pii.engine import is_pii_text

    return is_pii_text(segment) or (_names_people(parent) and _reads_as_a_name(segment))


@functools.lru_cache(maxsize=1024)
def _names_people(parent: str) -> bool:
    from cloudaudit.pii import context, words

    return bool(parent) and context.mentions(words.PERSON_NAME, context.normalise(parent))


def _reads_as_a_name(segment: str) -> bool:
    from cloudaudit.formats.header import is_column_name
    from cloudaudit.pii.shapes import is_person_name

    if _CODE_NAME.fullmatch(segment) or is_column_name(segment):
        return False
    return is_person_name(segment)
