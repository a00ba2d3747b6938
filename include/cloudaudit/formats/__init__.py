"""Bytes → fields: sniffing and bounded parsing of sampled objects (pure, no I/O)."""

from __future__ import annotations

from cloudaudit.formats.sample import TEXT_FIELD, Sample

__all__ = ["TEXT_FIELD", "Sample"]
