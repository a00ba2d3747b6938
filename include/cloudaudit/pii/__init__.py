"""PII detection: validated identifiers, contact details and context-detected personal data.

``detect_sample(sample, country)`` gives one ``FieldResult`` per field; ``detect_field`` does
one field; ``mask`` is the only way a value may be shown. Detectors are declarations in
``pii/detectors/<cc>.py`` (see ``all_detectors()``); identifiers stdnum lacks are validated by
stdnum-style modules in ``pii/validators/``.
"""

from __future__ import annotations

from cloudaudit.model import PiiType
from cloudaudit.pii.engine import detect_field, detect_sample
from cloudaudit.pii.mask import mask
from cloudaudit.pii.registry import all_detectors
from cloudaudit.pii.types import Detector, Strength

__all__ = ["Detector", "PiiType", "Strength", "all_detectors", "detect_field", "detect_sample", "mask"]
