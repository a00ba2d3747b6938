"""Checks: one folder per check ID, facts tables, Great Expectations suites and findings.

Entry point: ``cloudaudit.checks.validate.validate_country``. Importing this package is
cheap; pandas and Great Expectations are imported inside the functions that use them.
"""

from __future__ import annotations
