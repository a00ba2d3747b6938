"""Masking: what of a PII value may be shown in a report."""

from __future__ import annotations

MAX_KEPT = 4


def mask(value: str) -> str:
    """Replace all but at most the last 4 characters with ``*``; short values keep fewer.

    A value keeps a third of its length, at most 4 characters, so that a short name or a
    two-digit code is not given away.

    >>> mask("123456780257")
    '********0257'
    >>> mask("山田 太郎")
    '****郎'
    >>> mask("ab")
    '**'
    >>> mask("")
    ''
    """
    value = value.strip()
    kept = min(MAX_KEPT, len(value) // 3)
    return "*" * (len(value) - kept) + (value[len(value) - kept:] if kept else "")
