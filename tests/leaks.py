"""One leak searcher for every test that asks "did a planted value reach an output?".

A value leaks in whatever form an output writes it, so each planted value is searched as:
raw, lower case, Unicode NFD, JSON-escaped with and without ``ensure_ascii`` (XCom, snapshots),
HTML/XML-escaped (Data Docs, XLSX members), URL-encoded, Python's bytes repr, and, for phone
numbers, national IDs and card numbers, digits only; phones also in E.164 (with and without
the ``+``) for every country of the estate in which they parse as valid.

There is no minimum length (a Japanese name can be three characters), and false hits stay
impossible by a rule on boundaries rather than on length:
- a needle of 8 characters or more matches anywhere (a chance match of 8 given characters is
  astronomically unlikely in our outputs, and the previous substring search never had one);
- a shorter needle matches only as a whole token: the characters before and after it are not
  letters, digits or ``_`` (``林 充`` is found in ``customers.林 充.phone``, not in ``小林 充電``);
- a digits-only or E.164 needle never matches inside a longer run of digits.

Outputs are read whole, whatever they are: zip files (XLSX, bundles) member by member and
recursively, gzip and zlib streams inflated, SQLite files as every column of every table, and
a PostgreSQL metadata DB likewise; file and member names are searched too. A failing search
names the output, the PII type and the form, never the value itself.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import sqlite3
import unicodedata
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Haystack = tuple[str, str]  # (where, text)

LONG = 8  # needles at least this long match anywhere; shorter ones only as whole tokens
_GRAM, _STRIDE = 4, 4  # long needles are found by 4-grams at every 4th position (LONG >= GRAM + STRIDE - 1)
DIGIT_TYPES = frozenset({"PHONE_NUMBER", "NATIONAL_ID", "CREDIT_CARD"})
# Countries of the demo and unseen estates: a phone is written in E.164 for each one where it is valid.
PHONE_REGIONS = ("JP", "AU", "VN", "ID", "IN", "TH", "MY", "SG", "KR", "US", "GB")
_TOKEN_START = re.compile(r"(?<!\w)\w")


@dataclass(frozen=True)
class Needle:
    """One written form of one planted value; ``label`` says what it is without repeating it."""

    text: str
    label: str  # e.g. "PHONE_NUMBER#17 as e164"
    digits: bool = False  # must not touch another digit

    @property
    def whole_token(self) -> bool:
        return len(self.text) < LONG


@dataclass(frozen=True)
class Leak:
    where: str
    label: str


def _json_forms(value: str) -> set[str]:
    return {json.dumps(value, ensure_ascii=True)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
            json.dumps(value, ensure_ascii=True)[1:-1].replace("/", "\\/")}


def _markup_forms(value: str) -> set[str]:
    escaped = html.escape(value, quote=False)
    return {escaped, html.escape(value, quote=True), escaped.replace('"', "&quot;").replace("'", "&apos;"),
            escaped.replace("'", "&#39;")}


def _phone_forms(value: str) -> set[str]:
    import phonenumbers

    forms: set[str] = set()
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            forms |= {e164, e164[1:], str(number.national_number)}
    return forms


def forms_of(value: str, pii_type: str = "") -> dict[str, str]:
    """Every written form of ``value`` (form text -> form name); the raw form is always there."""
    forms: dict[str, str] = {}

    def add(text: str, name: str) -> None:
        if text and text not in forms:
            forms[text] = name

    add(value, "raw")
    add(value.lower(), "lower case")
    add(unicodedata.normalize("NFD", value), "NFD")
    add(unicodedata.normalize("NFC", value), "NFC")
    for text in sorted(_json_forms(value)):
        add(text, "JSON-escaped")
    for text in sorted(_markup_forms(value)):
        add(text, "HTML-escaped")
    add(urllib.parse.quote(value, safe=""), "URL-encoded")
    add(urllib.parse.quote_plus(value, safe=""), "URL-encoded")
    if not value.isascii():
        add(repr(value.encode())[2:-1], "bytes repr")
        add(repr(value)[1:-1].encode("ascii", "backslashreplace").decode(), "ascii repr")
    if pii_type in DIGIT_TYPES:
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6:
            add(digits, "digits only")
    if pii_type == "PHONE_NUMBER":
        for text in sorted(_phone_forms(value)):
            add(text, "E.164" if not text.isdigit() or len(text) > 10 else "national number")
    compact = "".join(value.split())
    if len(compact) >= 4:
        add(compact, "without spaces")
    return forms


def _is_digits_form(text: str) -> bool:
    return text.lstrip("+").isdigit()


class LeakSearcher:
    """Finds any form of any planted value (or secret) in texts, in time linear in their size."""

    def __init__(self, values_by_type: Mapping[str, Iterable[str]], secrets: Mapping[str, str] = {}) -> None:
        self.needles: list[Needle] = []
        for pii_type, values in sorted(values_by_type.items()):
            for i, value in enumerate(sorted(set(values))):
                assert value, f"an empty planted {pii_type} value cannot be searched for"
                for text, form in forms_of(value, pii_type).items():
                    self.needles.append(Needle(text, f"{pii_type}#{i} as {form}", digits=_is_digits_form(text)))
        for name, secret in sorted(secrets.items()):
            for text, form in forms_of(secret).items():
                self.needles.append(Needle(text, f"secret {name} as {form}", digits=_is_digits_form(text)))
        self._long: dict[str, list[tuple[int, Needle]]] = {}
        self._short: dict[str, list[Needle]] = {}
        self._odd: list[Needle] = []  # short needles that do not start with a word character
        for needle in self.needles:
            if not needle.whole_token:
                for offset in range(_STRIDE):
                    self._long.setdefault(needle.text[offset:offset + _GRAM], []).append((offset, needle))
            elif needle.text[0].isalnum() or needle.text[0] == "_":
                self._short.setdefault(needle.text[:2], []).append(needle)
            else:
                self._odd.append(needle)

    @classmethod
    def from_planted(cls, planted: Mapping[str, Any], secrets: Mapping[str, str] = {}) -> LeakSearcher:
        """From the seeder's ``planted.json`` (``by_type``: PII type -> values)."""
        return cls(planted["by_type"], secrets)

    def find(self, text: str) -> set[Needle]:
        hits: set[Needle] = set()
        get_long, get_short = self._long.get, self._short.get
        for pos in range(0, max(len(text) - _GRAM + 1, 0), _STRIDE):
            for offset, needle in get_long(text[pos:pos + _GRAM], ()):
                start = pos - offset
                if start >= 0 and text.startswith(needle.text, start) and self._bounded(text, start, needle):
                    hits.add(needle)
        if self._short:
            for match in _TOKEN_START.finditer(text):
                start = match.start()
                for needle in get_short(text[start:start + 2], ()):
                    if text.startswith(needle.text, start) and self._bounded(text, start, needle):
                        hits.add(needle)
        for needle in self._odd:
            start = text.find(needle.text)
            while start != -1:
                if self._bounded(text, start, needle):
                    hits.add(needle)
                    break
                start = text.find(needle.text, start + 1)
        return hits

    @staticmethod
    def _bounded(text: str, start: int, needle: Needle) -> bool:
        before = text[start - 1] if start else ""
        end = start + len(needle.text)
        after = text[end] if end < len(text) else ""
        if needle.digits and (before.isdigit() or after.isdigit()):
            return False
        if needle.digits and before == "*" and len(needle.text) <= 4:
            return False  # the tail a masked example may keep (SPEC: at most the last 4 characters)
        if needle.whole_token:
            return not any(c and (c.isalnum() or c == "_") for c in (before, after))
        return True

    def search(self, haystacks: Iterable[Haystack]) -> tuple[list[Leak], int]:
        """Every (output, needle) hit, and how many characters were searched."""
        leaks: list[Leak] = []
        searched = 0
        for where, text in haystacks:
            searched += len(text)
            leaks += [Leak(where, n.label) for n in sorted(self.find(text), key=lambda n: n.label)]
        return leaks, searched


def describe(leaks: list[Leak], limit: int = 30) -> str:
    """A failure message that names outputs and forms, never the values."""
    lines = [f"{len(leaks)} planted values found in outputs:"]
    lines += [f"  {leak.where}: {leak.label}" for leak in leaks[:limit]]
    return "\n".join(lines + ([f"  ... and {len(leaks) - limit} more"] if len(leaks) > limit else []))


def assert_no_leaks(searcher: LeakSearcher, haystacks: Iterable[Haystack], *, min_chars: int = 1) -> int:
    """Fail on any hit; also fail when fewer than ``min_chars`` were read (a search of nothing proves nothing)."""
    collected = list(haystacks)
    leaks, searched = searcher.search(collected)
    assert not leaks, describe(leaks)
    assert searched >= min_chars, f"only {searched} characters in {len(collected)} outputs were searched"
    return searched


# ---- reading outputs ------------------------------------------------------------------------

def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def unpack(where: str, data: bytes) -> Iterator[Haystack]:
    """The texts inside ``data``: zip members (recursively), inflated gzip/zlib, SQLite tables."""
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist():
                    yield f"{where}!{info.filename} (name)", info.filename
                    yield from unpack(f"{where}!{info.filename}", zf.read(info))
            return
        except zipfile.BadZipFile:
            pass
    if data[:2] == b"\x1f\x8b":
        try:
            yield from unpack(f"{where} (gunzipped)", gzip.decompress(data))
            return
        except (OSError, EOFError):
            pass
    if data[:1] == b"\x78" and len(data) > 2 and (data[0] * 256 + data[1]) % 31 == 0:
        try:
            yield from unpack(f"{where} (inflated)", zlib.decompress(data))
            return
        except zlib.error:
            pass
    if data[:16] == b"SQLite format 3\x00":
        yield from _sqlite_bytes(where, data)
        return
    yield where, _text(data)


def _sqlite_bytes(where: str, data: bytes) -> Iterator[Haystack]:
    image = bytearray(data)
    image[18:20] = b"\x01\x01"  # a WAL-mode header cannot be opened in memory; the pages read the same
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(bytes(image))
        yield from sqlite_tables(conn, where)
    finally:
        conn.close()


def _cells(where: str, rows: Iterable[tuple[Any, ...]]) -> Iterator[Haystack]:
    texts: list[str] = []
    for (value,) in rows:
        if value is None:
            continue
        if isinstance(value, memoryview | bytes | bytearray):
            nested = list(unpack(where, bytes(value)))
            texts += [t for _, t in nested]
        else:
            texts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))
    yield where, "\x00".join(texts)  # an empty column too: callers can check that it was read


def sqlite_tables(conn: sqlite3.Connection, where: str) -> Iterator[Haystack]:
    """Every column of every table of a SQLite database, one text per column."""
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
        for column in columns:
            yield from _cells(f"{where} {table}.{column}", conn.execute(f'SELECT "{column}" FROM "{table}"'))


def postgres_tables(database: str, *, host: str = "127.0.0.1", port: int = 5432,
                    user: str = "postgres") -> list[Haystack]:
    """Every column of every table of a PostgreSQL database (an Airflow metadata DB), as text."""
    import psycopg2

    conn = psycopg2.connect(host=host, port=port, user=user, dbname=database)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
            columns = list(cur.fetchall())
            out: list[Haystack] = []
            for table, column in columns:
                cur.execute(f'SELECT "{column}" FROM "{table}"')
                out += list(_cells(f"postgres:{database} {table}.{column}", cur.fetchall()))
            return out
    finally:
        conn.close()


def files_under(root: Path, *, skip: Iterable[str] = ("estate",), exclude: Iterable[Path] = ()) -> Iterator[Haystack]:
    """Every file below ``root`` (names included), unpacked; folders named in ``skip`` are not read."""
    skipped, excluded = set(skip), {p.resolve() for p in exclude}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if skipped & set(relative.parts) or path.resolve() in excluded:
            continue
        yield f"{path} (name)", str(relative)
        if path.is_file():
            data = path.read_bytes()
            if data[:16] == b"SQLite format 3\x00":  # opened where it lies, so its WAL is read too
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    yield from list(sqlite_tables(conn, str(path)))
                finally:
                    conn.close()
            else:
                yield from unpack(str(path), data)


def secret_forms_of_pem(pem: str) -> dict[str, str]:
    """Searchable parts of a PEM private key: each base64 body line and the whole text."""
    lines = [line for line in pem.strip().splitlines() if line and not line.startswith("-----")]
    return {"signing key PEM": pem.strip(), **{f"signing key PEM line {i}": line for i, line in enumerate(lines)}}
