"""Singapore: NRIC/FIN (check letter), phone numbers and plates (SBA 1234 A, check letter)."""

from __future__ import annotations

import re

from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength
from cloudaudit.pii.validators import sg_nric, sg_plate

_SG = frozenset({"SG"})

DETECTORS = (
    Detector(name="sg_nric_fin", pii_type=PiiType.NATIONAL_ID, countries=_SG, strength=Strength.CHECKSUM,
             pattern=re.compile(r"[STFGMstfgm](?<![\w].)\d{7}[A-Za-z](?![\w])"), validate=sg_nric.is_valid,
             context=("nric", "fin", "nric fin", "ic no", "identity card"), min_len=9, max_len=40, min_digits=7),
    *phone_detectors("SG", min_digits=8, bare=False),  # no trunk prefix to lose
    Detector(name="sg_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_SG, strength=Strength.CHECKSUM,
             pattern=re.compile(r"(?<![\w])[A-Z]{1,3} ?\d{1,4} ?[A-Z](?![\w])"), validate=sg_plate.is_valid,
             min_len=3, max_len=40),
)
