"""Hypothesis without an example database: tests leave no files in the work tree."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("cloudaudit-pii", database=None)
settings.load_profile("cloudaudit-pii")
