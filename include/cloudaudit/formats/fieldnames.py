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

from cloudaudit.formats import detectors
from cloudaudit.formats.header import is_column_name, known_column_names
from cloudaudit.formats.mapkeys import MAP_KEY, MAP_VALUE
from cloudaudit.model import TEXT_FIELD

_SEPARATOR = re.compile(r"(\.|!|\[\])")
_KEEP = frozenset({"", MAP_KEY, MAP_VALUE, TEXT_FIELD})
# One ASCII token (``city``, ``zip_code``, ``PostalCode``): a key as code writes it. A person's
# name has a space, or is in a script written without spaces (``山田太郎``).
_CODE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def safe_field_names(fields: dict[str, list[str | None]], max_rows: int) -> dict[str, list[str | None]]:
    """``fields`` with every data-like name segment generalised to ``<key>`` (see the module).

    >>> from cloudaudit.pii.field_names import name_detectors  # as the extract path hands them in
    >>> with detectors.using_detectors(name_detectors()):
    ...     safe_field_names({"Sheet1!taro@example.com": ["1"], "Sheet1!hana@example.org": ["2"], "Sheet1!tel": []}, 10)
    {'Sheet1!<key>': ['1', '2'], 'Sheet1!tel': []}
    """
    judge, known = detectors.current(), known_column_names()
    out: dict[str, list[str | None]] = {}
    for name, values in fields.items():
        safe = safe_name(name, judge, known)
        if safe == name and name not in out:
            out[name] = values
            continue
        merged = out.setdefault(safe, [])
        merged.extend(values[: max(0, max_rows - len(merged))])
    return out


@functools.lru_cache(maxsize=4096)
def safe_name(name: str, judge: detectors.NameDetectors, known: frozenset[str]) -> str:
    """One field name with its data-like segments written ``<key>``, as ``judge`` and the
    ``known`` column names (``header.known_column_names()``) tell data.

    Detectors read the whole name, so an e-mail is found across the dots it holds; as ``.``
    also separates segments, every segment the match touches goes (``a.taro@example.com.b``
    → ``<key>``: ``b`` may be its top-level domain).
    """
    parts = _SEPARATOR.split(name)  # even indexes are segments, odd ones separators
    starts = [0]
    for part in parts:
        starts.append(starts[-1] + len(part))
    data = [False] * len(parts)
    for begin, end in judge.pii_spans(name):
        covered = [i for i in range(0, len(parts), 2) if starts[i] < end and begin < starts[i + 1]]
        for index in covered:  # "." is a separator and part of e-mails: the whole match goes
            data[index] = True
    parent = ""
    for index in range(0, len(parts), 2):
        segment = parts[index]
        if segment in _KEEP:
            data[index] = False
        elif parent and judge.names_people(parent) and _reads_as_a_name(segment, judge, known):
            data[index] = True
        if segment:
            parent = segment
    return "".join(_collapse(parts, data))


def _collapse(parts: list[str], data: list[bool]) -> list[str]:
    """Data segments become ``<key>``; a run of them joined by ``.`` (one e-mail) becomes one."""
    out: list[str] = []
    index = 0
    while index < len(parts):
        if index % 2 == 0 and data[index]:
            out.append(MAP_KEY)
            while index + 2 < len(parts) and parts[index + 1] == "." and data[index + 2]:
                index += 2
        else:
            out.append(parts[index])
        index += 1
    return out


def _reads_as_a_name(segment: str, judge: detectors.NameDetectors, known: frozenset[str]) -> bool:
    if _CODE_NAME.fullmatch(segment) or is_column_name(segment, known):
        return False
    return judge.is_person_name(segment)
