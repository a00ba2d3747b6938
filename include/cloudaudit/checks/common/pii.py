"""Sentences about PII rows, shared by the PII_EXPOSURE and RESIDENCY checks."""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.checks.common.rows import PiiFacts, join

MAX_OBJECTS = 5  # objects named in a detail; the rest are counted


def pii_types(rows: Sequence[PiiFacts]) -> str:
    """The rows' PII types, sorted, de-duplicated, comma-separated."""
    return join(row.pii_type.value for row in rows)


def where(rows: Sequence[PiiFacts]) -> str:
    """``x.csv [name, phone]; y.json [customer.id] (+2 more objects)``: objects relative to their container."""
    fields: dict[str, set[str]] = {}
    for row in rows:
        fields.setdefault(row.object, set()).add(row.field)
    parts = []
    for obj in sorted(fields)[:MAX_OBJECTS]:
        relative = obj[len(rows[0].resource):].lstrip("/") if obj != rows[0].resource else ""
        columns = ", ".join(sorted(fields[obj]))
        parts.append(f"{relative} [{columns}]" if relative else f"[{columns}]")
    more = len(fields) - MAX_OBJECTS
    return "; ".join(parts) + (f" (+{more} more objects)" if more > 0 else "")
