"""Opaque page tokens and ``maxResults`` handling, shared by every list call."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from cloudaudit_demo.estate.bigquery.errors import invalid

T = TypeVar("T")


def encode_token(position: str) -> str:
    """A page token that resumes after ``position`` (an id, or a row offset as text)."""
    return base64.urlsafe_b64encode(f"cloudaudit:{position}".encode()).decode("ascii")


def decode_token(token: str) -> str:
    """The position a token stands for; ``invalid`` (400) for a token this emulator did not issue."""
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid("Invalid page token.") from None
    if not text.startswith("cloudaudit:"):
        raise invalid("Invalid page token.")
    return text.removeprefix("cloudaudit:")


def max_results(raw: str | None, default: int, cap: int) -> int:
    """``maxResults`` as an int; absent or non-positive means the server's default."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid("Invalid value for maxResults.") from None
    return default if value <= 0 else min(value, cap)


def page_by_id(ids: Sequence[str], items: Sequence[T], token: str | None, limit: int) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted by ``ids``) after the token's id, and the next token."""
    start = 0
    if token:
        after = decode_token(token)
        start = next((i for i, key in enumerate(ids) if key > after), len(ids))
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    return page, encode_token(ids[start + limit - 1]) if more else None


def page_by_offset(items: Sequence[T], token: str | None, limit: int) -> tuple[list[T], str | None]:
    """One page of ``items`` from the token's offset (for lists with no stable id order)."""
    start = 0
    if token:
        try:
            start = max(0, int(decode_token(token)))
        except ValueError:
            raise invalid("Invalid page token.") from None
    more = start + limit < len(items)
    return list(items[start : start + limit]), encode_token(str(start + limit)) if more else None
