"""Importing the checks (as the DAG's tasks and the docs do) loads neither pandas nor GX."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import cloudaudit.checks.validate, cloudaudit.checks.registry
cloudaudit.checks.registry.all_checks()
print(sorted(m for m in ("pandas", "great_expectations", "numpy") if m in sys.modules))
"""


def test_checks_import_light() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
