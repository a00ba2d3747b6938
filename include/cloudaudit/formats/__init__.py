"""Bytes → fields: sniffing and bounded parsing of sampled objects (pure, no I/O).

``sniff(name, head, content_type)`` names the format; ``parse_sample(name, data, limits=...)``
returns a ``Sample`` or raises ``SampleSkipped`` with the reason. Formats in
``WHOLE_OBJECT_FORMATS`` (and their ``.gz``, see ``needs_whole_object``) cannot be read from a
range: collectors read them whole when the object is under ``max_object_bytes``; over it,
``parse_ranges`` reads a Parquet or XLSX object (``RANGED_FORMATS``) in pieces through a
``ranged.RangeReader`` within the same byte budget, and anything else is skipped.
"""

from __future__ import annotations

from cloudaudit.formats.parse import (
           RANGED_FORMATS,
    RANGED_HEAD_BYTES,
           needs_whole_object,
           parse_ranges,
           parse_sample,
           ranged_format,
)
from cloudaudit.formats.sniff import WHOLE_OBJECT_FORMATS, sniff
from cloudaudit.model import TEXT_FIELD, Sample

__all__ = ["RANGED_FORMATS", "RANGED_HEAD_BYTES", "TEXT_FIELD", "WHOLE_OBJECT_FORMATS", "Sample",
           "needs_whole_object", "parse_ranges", "parse_sample", "ranged_format", "sniff"]
