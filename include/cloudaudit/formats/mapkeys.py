"""Is a JSON object a record (its keys name fields) or a map keyed by data (names, e-mails, IDs)?

A field name leaves the extract task, so a map's keys must never become path segments: a
map's keys are written ``<key>`` (``customers.<key>.phone``) and the keys themselves are read
as the values of the field ``customers.<key>``, so that a map keyed by national IDs is found
to be a field of national IDs. An object is a map when one of its keys does not read as a
field name (an ``@`` inside, a leading digit or sign, six digits or more, punctuation no
header holds, over 64 characters, spaced words spelt like a person's name, or a PII detector
accepts it), when it
has more keys than a record has, or when several keys hold objects of one shape
(``{"<name>": {"phone", "city"}, ...}``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import Any

from cloudaudit.formats import detectors

MAP_KEY = "<key>"
MAP_VALUE = "<value>"  # a map's scalar values: ``phones.<value>`` beside ``phones.<key>``
MAX_RECORD_KEYS = 1000  # wider than any record: max_fields keeps 200 paths anyway
MIN_SAME_SHAPE = 4  # keys holding objects of one shape, for the object to read as a map
PROBE_KEYS = 32  # keys shown to the PII detectors (the lexical test sees every key)
MAX_KEY_CHARS = 64
_MIN_DIGITS = 6  # phone numbers, IDs, dates; not "2024q1" or "address_line_1"
# What headers written as keys hold besides letters and digits ("Tel #", "Amount ($)", "No.").
_FIELD_PUNCTUATION = frozenset("_- .,()/#%&'?:+*")
_FIELD_CATEGORIES = frozenset({"Mn", "Mc", "Me", "Sc"})  # combining marks (Thai, Vietnamese), currency
_NAME_PUNCTUATION = frozenset(".-',")  # O'Brien, Jean-Luc, J. Smith, "Andriani, S.Gz" (a degree after a comma)
# Lower-case words a person's name holds: particles (Muhammad bin Abdullah, Ludwig van Beethoven).
# An abbreviated title in lower case ("drg.", "dr.", "ir.") ends with a dot and is allowed too.
_NAME_PARTICLES = frozenset({"bin", "binti", "bt", "bte", "ibn", "van", "von", "der", "den", "de", "da", "del",
                             "della", "di", "du", "la", "le", "al", "el", "dos", "das", "do", "y"})


def reads_as_data(key: str) -> bool:
    """True for a key that does not read as a field name (no PII detector is asked).

    A spaced key is data when it reads as a person's name: every word capitalised, or in a
    script without letter case (``山田 太郎``), and no word that names a column (the column
    words come with the detectors handed in, see ``detectors``).

    >>> [reads_as_data(k) for k in ("phone", "氏名", "@id", "address_line_1", "họ tên", "Amount ($)", "Tel #")]
    [False, False, False, False, False, False, False]
    >>> reads_as_data("Customer Name")  # spelt like a name, and no column words handed in
    True
    >>> [reads_as_data(k) for k in ("Taro Yamada", "山田 太郎", "a@b.example", "2024", "+81 3 1234", "a\tb")]
    [True, True, True, True, True, True]
    >>> [reads_as_data(k) for k in ("drg. Vanya Andriani, S.Gz", "Siti binti Ahmad", "Quý ông Dũng Hoàng")]
    [True, True, True]
    >>> [reads_as_data(k) for k in ("No. of items", "date of birth", "Amount due today")]
    [False, False, False]
    """
    if len(key) > MAX_KEY_CHARS or not _spelt_like_a_field_name(key):
        return True
    if sum(char.isdigit() for char in key) >= _MIN_DIGITS:
        return True
    return " " in key and _spelt_like_a_name(key) and not detectors.current().names_a_column(key)


def _spelt_like_a_field_name(key: str) -> bool:
    """Letters (with their marks: Thai, Vietnamese), digits, header punctuation and single
    spaces, starting with a letter and no ``@`` inside; JSON-LD's ``@id`` and JSON Schema's
    ``$ref`` too."""
    body = key[1:] if key[:1] in ("@", "$") else key
    if not body or not body[0].isalpha() or "  " in body or body.endswith(" "):
        return False
    return all(char.isalnum() or char in _FIELD_PUNCTUATION or unicodedata.category(char) in _FIELD_CATEGORIES
               for char in body)


def _spelt_like_a_name(key: str) -> bool:
    """Words of letters (and ``.``, ``-``, ``'``), each capitalised where the script has case."""
    if not all(char.isalpha() or char in _NAME_PUNCTUATION or char == " " or unicodedata.category(char).startswith("M")
               for char in key):
        return False
    words = key.split()
    capitalised = sum(1 for word in words if word[0].isupper() or not word[0].islower())
    if not capitalised:
        return False
    # Lower-case words a name may hold: particles, dotted titles, and with two capitalised words
    # one more (an honorific: "Quý ông Dũng Hoàng"). "No. of items" has one capitalised word.
    others = [w for w in words if w[0].islower() and not w.endswith(".") and w not in _NAME_PARTICLES]
    return not others or (len(others) == 1 and capitalised >= 2)


def is_data_map(obj: Mapping[Any, Any]) -> bool:
    """Whether ``obj``'s keys are data rather than field names (see the module docstring)."""
    if not obj:
        return False
    if len(obj) > MAX_RECORD_KEYS:
        return True
    keys = tuple(str(key) for key in obj)
    return _keys_are_data(keys, detectors.current()) or _same_shaped_objects(list(obj.values()))


@functools.lru_cache(maxsize=1024)  # records repeat their keys, record after record
def _keys_are_data(keys: tuple[str, ...], judge: detectors.NameDetectors) -> bool:
    if any(reads_as_data(key) for key in keys):
        return True
    return any(judge.is_pii(key) for key in keys[:PROBE_KEYS])


def is_entry_stream(records: list[Any]) -> bool:
    """Records that are each a one-entry object with a key of its own (``{"<name>": {...}}`` per
    line): the entries of one map keyed by data, written a line at a time.

    >>> is_entry_stream([{"a b": {}}, {"c d": {}}, {"e f": {}}, {"g h": {}}]), is_entry_stream([{"event": 1}] * 4)
    (True, False)
    """
    if len(records) < MIN_SAME_SHAPE or not all(isinstance(record, dict) and len(record) == 1 for record in records):
        return False
    return len({str(next(iter(record))) for record in records}) == len(records)


def _same_shaped_objects(values: list[Any]) -> bool:
    """At least ``MIN_SAME_SHAPE`` values, all non-empty objects, three in four with one set of keys
    (a customer without a phone is still a customer)."""
    if len(values) < MIN_SAME_SHAPE or not all(isinstance(value, dict) and value for value in values):
        return False
    shapes = Counter(frozenset(value) for value in values)
    return shapes.most_common(1)[0][1] * 4 >= len(values) * 3
