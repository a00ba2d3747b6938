"""Bytes → text: UTF-8 (with or without BOM), UTF-16/32 with a BOM, else the legacy code page.

Dealer files exported on Windows are often Shift_JIS/CP932 (Japan), TIS-620/CP874 (Thailand)
or Windows-1258/1252; ``charset_normalizer`` picks among exactly those families, so a short
Thai file is not mistaken for Cyrillic.
"""

from __future__ import annotations

import codecs
import unicodedata

from cloudaudit.errors import SampleSkipped

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
LEGACY_ENCODINGS = ["cp932", "euc_jp", "cp874", "cp1258", "cp1252", "cp1250", "gb18030", "big5", "euc_kr"]
_STRAY_BYTES_RATIO = 20  # at most one undecodable byte per 20 well-formed non-ASCII characters
_DETECTION_BYTES = 65_536
_UTF16_PROBE_BYTES = 4096
_UTF16_MIN_PAIRS = 8
_UTF16_ZERO_SHARE = 0.25  # delimiters, digits and Latin letters: high byte zero
_UTF16_STRAY_ZERO_SHARE = 0.02  # enough to tell code pages apart; detection cost grows with input


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark announces, if any.

    >>> bom_encoding(b"\\xef\\xbb\\xbfid"), bom_encoding(b"\\xff\\xfei\\x00"), bom_encoding(b"id")
    ('utf-8-sig', 'utf-16', None)
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for UTF-16 written without a BOM (SQL Server ``bcp -w``), else None.

    Mostly-ASCII text in UTF-16 has a zero in every other byte, on one side only; the probe
    must also decode to printable text, so 16-bit binary samples are not taken for it.

    >>> bomless_utf16("name,phone\\r\\nTaro,0312345678\\r\\n".encode("utf-16-le")), bomless_utf16(b"name,phone")
    ('utf-16-le', None)
    """
    probe = data[: _UTF16_PROBE_BYTES - _UTF16_PROBE_BYTES % 2]
    pairs = len(probe) // 2
    if pairs < _UTF16_MIN_PAIRS:
        return None
    zeros_even, zeros_odd = probe[0::2].count(0), probe[1::2].count(0)
    if zeros_odd >= _UTF16_ZERO_SHARE * pairs and zeros_even <= _UTF16_STRAY_ZERO_SHARE * pairs:
        encoding = "utf-16-le"
    elif zeros_even >= _UTF16_ZERO_SHARE * pairs and zeros_odd <= _UTF16_STRAY_ZERO_SHARE * pairs:
        encoding = "utf-16-be"
    else:
        return None
    text = probe[: len(probe) - len(probe) % 2].decode(encoding, errors="replace")
    controls = sum(1 for char in text if not char.isprintable() and char not in "\t\r\n")
    return encoding if controls <= _UTF16_STRAY_ZERO_SHARE * len(text) else None


def decode_text(data: bytes, *, fmt: str, truncated: bool = False) -> str:
    """Decode a text object; with ``truncated`` a character cut at the end is dropped, not an error."""
    announced = bom_encoding(data) or bomless_utf16(data)
    text = _decode_incremental(data, announced or "utf-8", truncated)
    if text is None and announced:
        raise SampleSkipped(f"{fmt}: corrupt or unreadable")
    if text is None:
        text = _mostly_utf8(data)
    if text is None:
        legacy = detect_legacy_encoding(data)
        if legacy is None:
            raise SampleSkipped(f"{fmt}: unknown text encoding")
        text = data.decode(legacy, errors="replace")
    return _nfc(text)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray bytes (one pasted cp1252 cell) stays UTF-8, with U+FFFD there.

    Legacy multi-byte text decoded as UTF-8 is nearly all errors, so the ratio tells them apart.
    """
    text = data.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - errors
    return text if errors * _STRAY_BYTES_RATIO <= non_ascii else None


def detect_legacy_encoding(data: bytes) -> str | None:
    """Best legacy code page for non-UTF-8 text, or None when nothing fits."""
    from charset_normalizer import from_bytes

    head = data[:_DETECTION_BYTES]
    if len(data) > _DETECTION_BYTES:  # cut at a line end so no character is split
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
    best = from_bytes(head, cp_isolation=LEGACY_ENCODINGS).best()
    return None if best is None else str(best.encoding)


def _decode_incremental(data: bytes, encoding: str, truncated: bool) -> str | None:
    """Strict decoding, None when the bytes are not in ``encoding`` (the error quotes them)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(data, final=not truncated)
    except UnicodeDecodeError:
        return None


def _nfc(text: str) -> str:
    # Windows-1258 writes Vietnamese tones as combining marks; detectors expect composed letters.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
