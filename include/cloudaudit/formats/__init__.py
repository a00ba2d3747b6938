"""Bytes → fields: sniffing and bounded parsing of sampled objects (pure, no I/O).

``sniff(name, head, content_type)`` names the format; ``parse_sample(name, data, limits=...)``
returns a ``Sample`` or raises ``SampleSkipped`` with the reason. Formats in
``WHOLE_OBJECT_FORMATS`` (and their ``.gz``, see ``needs_whole_object``) cannot be read from a
range: collectors read them whole when the object is under ``max_object_bytes``, else skip.
"""

from __future__ import annotations

from cloudaudit.formats.parse import needs_whole_object, parse_sample
from cloudaudit.formats.sniff import WHOLE_OBJECT_FORMATS, sniff
from cloudaudit.model import TEXT_FIELD, Sample

__all__ = ["TEXT_FIELD", "WHOLE_OBJECT_FORMATS", "Sample", "needs_whole_object", "parse_sample", "sniff"]
