"""Free text: one ``(text)`` value per non-empty line."""

from __future__ import annotations

from cloudaudit.config import Limits
from cloudaudit.formats.sample import TEXT_FIELD
from cloudaudit.formats.values import FieldTable


def parse_text(text: str, *, limits: Limits, truncated: bool) -> FieldTable:
    """Lines of text; with ``truncated`` the last (cut) line is dropped."""
    if truncated:
        text = text[: text.rfind("\n") + 1]
    table = FieldTable(limits, truncated=truncated)
    table.declare(TEXT_FIELD)
    for line in text.splitlines():
        value = line.strip()
        if not value:
            continue
        if table.full:
            table.truncated = True
            break
        table.add(TEXT_FIELD, value)
        table.rows += 1
    return table
