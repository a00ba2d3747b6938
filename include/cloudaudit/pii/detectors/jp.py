"""Japan: My Number (12 digits, check digit), phone numbers and vehicle plates (品川 300 さ 12-34)."""

from __future__ import annotations

import re

from cloudaudit.pii import predicates
from cloudaudit.pii.detectors.patterns import phone_detectors
from cloudaudit.pii.types import Detector, PiiType, Strength

_JP = frozenset({"JP"})
# Region names are kanji or kana; the kana after the class number excludes お, し, へ, ん.
_PLATE = re.compile(r"(?<!\S)[\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fa]{1,4}\s?\d{2,3}\s?"
                    r"[あいうえかきくけこさすせそたちつてとなにぬねのはひふほまみむめもやゆよらりるれろわ]\s?"
                    r"(?:\d{1,2}\s?-\s?\d{2}|・{1,3}\d{1,3})(?!\d)")

DETECTORS = (
    Detector(name="jp_my_number", pii_type=PiiType.NATIONAL_ID, countries=_JP, strength=Strength.CHECKSUM,
             pattern=re.compile(r"\d(?<![\d-].)\d{3}[ -]?\d{4}[ -]?\d{4}(?![\d-])"), validate=predicates.jp_my_number,
             context=("マイナンバー", "個人番号", "my number", "mynumber", "individual number"), min_len=12, max_len=40, min_digits=12),
    *phone_detectors("JP", min_digits=9),
    Detector(name="jp_plate", pii_type=PiiType.VEHICLE_REGISTRATION, countries=_JP, strength=Strength.STRUCTURE,
             pattern=_PLATE, min_len=8, max_len=40),
)
