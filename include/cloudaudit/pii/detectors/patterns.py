"""Patterns shared by several country modules."""

from __future__ import annotations

import re

NATIONAL_PHONE = re.compile(r"[+(\d](?<![\w+.\-/].)\(?\d[\d ().\-]{5,16}\d(?![\w.\-/])")
"""Digits with the separators people write (``090-1234-5678``, ``(02) 9876 5432``); phonenumbers decides.
A leading ``+`` is kept so that the same detector also takes the country's numbers written internationally."""
