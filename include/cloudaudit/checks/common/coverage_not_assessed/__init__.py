"""Check coverage_not_assessed."""

from __future__ import annotations
