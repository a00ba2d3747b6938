"""A parsed sample: field name → values. It may hold raw PII, so it never prints its values."""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT_FIELD = "(text)"


@dataclass(frozen=True, repr=False)
class Sample:
    """Values of one sampled object or table, by field, in memory only.

    ``fields`` maps a field name (column, ``a.b[].c`` key path, ``Sheet!Header``, ``column_<n>``
    or ``(text)``) to its values as strings (``None`` for an empty cell). ``rows`` is the number
    of records (lines for text) read. ``truncated``: a bound was reached. ``partial``: why the
    object could not be read to its bounds (it never quotes content); callers record such a
    sample as PARTIAL with this reason, never as clean. It never leaves the extract task.
    """

    format: str
    fields: dict[str, list[str | None]] = field(default_factory=dict)
    rows: int = 0
    truncated: bool = False
    partial: str = ""

    def __repr__(self) -> str:
        return (f"Sample(format={self.format!r}, fields={len(self.fields)}, rows={self.rows}, "
                f"truncated={self.truncated}, partial={self.partial!r})")

    __str__ = __repr__
