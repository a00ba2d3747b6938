"""Which format an object is: magic bytes first, then the name's extension, then the content.

Formats: ``csv``, ``tsv``, ``json``, ``jsonl``, ``parquet``, ``xlsx``, ``text``, each with
``.gz`` appended when gzip-compressed. Anything else raises ``SampleSkipped`` with a short
description (``unsupported format: PDF document``), never the content.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.compression import gunzip, is_gzip
from cloudaudit.formats.encoding import bom_encoding, bomless_utf16, decode_text

WHOLE_OBJECT_FORMATS = frozenset({"parquet", "xlsx"})  # footer or zip directory at the end
GZIP_SUFFIX = ".gz"
SNIFF_BYTES = 65_536  # what sniff needs of an object's head (decompressed, for gzip)

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".geojson": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".ldjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".txt": "text", ".text": "text", ".log": "text", ".md": "text",
}
_GZIP_EXTENSIONS = (".gz", ".gzip")
_OPAQUE_CONTENT_TYPES = frozenset({"application/gzip", "application/x-gzip", "application/octet-stream"})
_CONTENT_TYPES = {
    "text/csv": "csv", "application/csv": "csv", "text/tab-separated-values": "tsv",
    "application/json": "json", "text/json": "json",
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/x-jsonlines": "jsonl",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    # text/plain is what most uploaders default to: it says nothing the content does not
}
_MAGIC = (  # (offset, bytes, description) of formats we do not sample; short magics that text
    # can start with ("BM", "MZ") are left to the binary-content test
    (0, b"%PDF", "PDF document"),
    (0, b"\x89PNG", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF8", "GIF image"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"RIFF", "RIFF media"),
    (4, b"ftyp", "MP4/QuickTime media"),
    (0, b"\xd0\xcf\x11\xe0", "OLE2 document (legacy Office or encrypted)"),
    (0, b"7z\xbc\xaf", "7-Zip archive"),
    (0, b"Rar!", "RAR archive"),
    (0, b"BZh91AY&SY", "bzip2 data"),
    (0, b"\xfd7zXZ\x00", "xz data"),
    (0, b"\x28\xb5\x2f\xfd", "zstd data"),
    (0, b"\x04\x22\x4d\x18", "LZ4 data"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"Obj\x01", "Avro container"),
    (257, b"ustar", "tar archive"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CONTROL_BYTES = frozenset(range(0x09)) | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20))
_NOT_CONTROL_BYTES = bytes(byte for byte in range(256) if byte not in _CONTROL_BYTES)
_MAX_CONTROL_RATIO = 0.01
_JSON_OPENING = re.compile(r"\s*[\[{]\s*(?:[\"{\[\]}]|$)")  # {"key", [{, [[, ["text", or a bare bracket


def sniff(name: str, head: bytes, content_type: str | None = None) -> str:
    """The format of an object from its name, its first bytes and its content type.

    >>> sniff("x.csv.gz", __import__("gzip").compress(b"a,b\\n1,2\\n"))
    'csv.gz'
    >>> sniff("export", b'{"id": 1}\\n{"id": 2}\\n')
    'jsonl'
    """
    stripped = strip_gzip_extension(name)
    content_type = inner_content_type(content_type)
    if not head and stripped != name:  # a listing, no bytes yet: the name alone speaks
        return sniff_plain(stripped, head, content_type, truncated=True) + GZIP_SUFFIX
    if is_gzip(head):
        inner = gunzip(head, SNIFF_BYTES)
        if is_gzip(inner.data):
            raise SampleSkipped("unsupported format: nested gzip")
        return sniff_plain(stripped, inner.data, content_type, truncated=True) + GZIP_SUFFIX
    return sniff_plain(stripped, head, content_type, truncated=True)


def inner_content_type(content_type: str | None) -> str | None:
    """The content type of what is inside: a gzip (or generic binary) type says nothing about it.

    >>> inner_content_type("application/gzip"), inner_content_type("text/csv")
    (None, 'text/csv')
    """
    if content_type and content_type.split(";", 1)[0].strip().lower() in _OPAQUE_CONTENT_TYPES:
        return None
    return content_type


def sniff_plain(name: str, head: bytes, content_type: str | None, *, truncated: bool) -> str:
    """Sniff uncompressed bytes (``truncated``: ``head`` may stop mid-character or mid-line)."""
    if head.startswith(b"PAR1"):
        return "parquet"
    declared = format_from_extension(name) or _format_from_content_type(content_type)
    if head.startswith(_ZIP_MAGIC):
        # An xlsx is a zip whose member names start with xl/ (names are stored uncompressed).
        if declared == "xlsx" or b"xl/" in head[:SNIFF_BYTES]:
            return "xlsx"
        raise SampleSkipped("unsupported format: zip archive")
    described = _binary_description(head)
    if described:
        raise SampleSkipped(f"unsupported format: {described}")
    if declared in WHOLE_OBJECT_FORMATS:
        return declared  # the magic did not match: the parser will call it corrupt
    if _looks_binary(head):
        raise SampleSkipped("unsupported format: binary data")
    if declared in ("json", "jsonl"):
        return _refine_json(head, declared, truncated)
    if declared in (None, "text"):  # .txt and .log files are often CSV or JSON Lines inside
        return _format_from_content(head, truncated)
    return declared


def strip_gzip_extension(name: str) -> str:
    """``a/b.csv.gz`` → ``a/b.csv``; ``x.tgz`` → ``x.tar``."""
    lower = name.lower()
    for suffix in _GZIP_EXTENSIONS:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    if lower.endswith(".tgz"):
        return name[:-4] + ".tar"
    return name


def declared_format(name: str, content_type: str | None = None) -> str | None:
    """The format an object's name (``.gz`` looked through) or content type declares, else None.

    >>> declared_format("a/b.CSV.gz"), declared_format("dump-0001"), declared_format("x", "text/csv")
    ('csv', None, 'csv')
    """
    return format_from_extension(strip_gzip_extension(name)) or _format_from_content_type(
        inner_content_type(content_type))


def format_from_extension(name: str) -> str | None:
    return _EXTENSIONS.get(PurePosixPath(name.lower()).suffix)


def _format_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return _CONTENT_TYPES.get(content_type.split(";", 1)[0].strip().lower())


def _binary_description(head: bytes) -> str | None:
    for offset, magic, description in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return description
    return None


def _looks_binary(head: bytes) -> bool:
    """NUL or many control bytes, unless UTF-16/32 (with a BOM, or UTF-16 without) explains them."""
    if bom_encoding(head) in ("utf-16", "utf-32") or bomless_utf16(head):
        return False
    sample = head[:SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL_BYTES))  # C speed: delete all but controls
    return controls > _MAX_CONTROL_RATIO * max(len(sample), 1)


def _refine_json(head: bytes, declared: str, truncated: bool) -> str:
    """A ``.json`` holding one value per line is JSON Lines; a ``.jsonl`` holding one
    pretty-printed document (first line ``{`` or ``[``, or an array of records) is JSON."""
    text = _head_text(head, truncated)
    if declared == "json":
        return json_kind(text) or declared
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return "json" if first in ("{", "[") or first.startswith("[{") else declared


def _format_from_content(head: bytes, truncated: bool) -> str:
    text = _head_text(head, truncated)
    kind = json_kind(text)
    if kind:
        return kind
    from cloudaudit.formats.delimited import detect_delimiter

    delimiter = detect_delimiter(text)
    if delimiter is None:
        return "text"
    return "tsv" if delimiter == "\t" else "csv"


def _head_text(head: bytes, truncated: bool) -> str:
    try:
        text: str | None = decode_text(head[:SNIFF_BYTES], fmt="text", truncated=truncated or len(head) > SNIFF_BYTES)
    except SampleSkipped:
        text = None
    if text is None:
        raise SampleSkipped("unsupported format: binary data")
    return text


def json_kind(text: str) -> str | None:
    """``json`` for one document, ``jsonl`` for one value per line, None when it is not JSON.

    >>> json_kind('[{"a": 1},\\n {"a": 2}]'), json_kind('{"a": 1}\\n{"a": 2}'), json_kind("[INFO] up")
    ('json', 'jsonl', None)
    """
    body = text.lstrip("\ufeff \t\r\n")
    if not body.startswith(("{", "[")):
        return None
    lines = [line for line in body.splitlines()[:3] if line.strip()]
    if len(lines) >= 2 and all(_is_json_value(line) for line in lines[:2]):
        return "jsonl"
    if _is_json_value(lines[0]) or _JSON_OPENING.match(lines[0]):
        return "json"
    return None  # "[INFO] started": a log line, not JSON


def _is_json_value(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True
