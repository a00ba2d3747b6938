"""Philippines: PhilSys number (format plus context: no check digit), phone numbers and plates (NAA 1234)."""

from __future__ import annotations

import re

from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength
from cloudaudit.pii.validators import ph_philsys

_PH = frozenset({"PH"})

DETECTORS = (
    Detector(name="ph_philsys", pii_type=PiiType.NATIONAL_ID, countries=_PH, strength=Strength.FORMAT,
             needs_context=True, pattern=re.compile(r"\d(?<![\d-].)\d{3}[ -]?\d{4}[ -]?\d{4}(?:[ -]?\d{4})?(?![\d-])"),
             validate=ph_philsys.is_valid, min_len=12, max_len=40, min_digits=12,
             context=("philsys", "phil sys", "psn", "pcn", "philid", "phil id", "pambansang pagkakakilanlan")),
    *phone_detectors("PH", min_digits=9),
    Detector(name="ph_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_PH, strength=Strength.FORMAT,
             pattern=re.compile(r"(?<![\w])[A-Z]{3}[ -]?\d{3,4}(?![\w])"), min_len=6, max_len=40, min_digits=3),
)
