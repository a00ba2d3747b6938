"""A parsed sample: field name → values. It may hold raw PII, so it never prints its values."""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT_FIELD = "(text)"


@dataclass(frozen=True, repr=False)
class Sample:
    """Values of one sampled object or table, by field, in memory only.

    ``fields`` maps a field name (column, ``a.b[].c`` key path, ``Sheet!Header``, ``column_<n>``
    or ``(text)``) to its values as strings (``None`` for an empty cell). ``rows`` is the number
    of records (lines for text) read. ``reason`` is value-free. It never leaves the extract task.
    """

    format: str
    fields: dict[str, list[str | None]] = field(default_factory=dict)
    rows: int = 0
    truncated: bool = False
    reason: str = ""  # set when a bound stopped the read early: the sample is PARTIAL, this says why

    def __repr__(self) -> str:
        return (f"Sample(format={self.format!r}, fields={len(self.fields)}, rows={self.rows}, "
                f"truncated={self.truncated}, reason={self.reason!r})")

    __str__ = __repr__
