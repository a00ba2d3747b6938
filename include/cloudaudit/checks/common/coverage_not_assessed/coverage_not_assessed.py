"""coverage_not_assessed: Environment, resource or sample could not be read.

Not an expectation: ``checks/findings.py`` turns every NOT_ASSESSED coverage row (an
environment, a resource or a sample that could not be read) into one such finding.
"""

from __future__ import annotations

from cloudaudit.checks.base import load_metadata

METADATA = load_metadata(__file__)
