"""Logic shared by checks of several providers (residency, PII rows, three-valued logic)."""

from __future__ import annotations
