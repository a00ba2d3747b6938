"""Importing the formats package stays light: parsers import their heavy libraries when called."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pyarrow", "openpyxl", "pandas", "charset_normalizer", "great_expectations", "boto3")


def test_import_loads_no_heavy_library() -> None:
    code = ("import sys, cloudaudit.formats; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == ""


def test_formats_do_not_import_pii() -> None:
    """No formats ↔ pii cycle: formats are handed the header words; parsing loads no PII module."""
    code = ("import sys, cloudaudit.formats as f, cloudaudit.config as c; "
            "f.parse_sample('a.csv', 'name,city\\nTaro,Tokyo\\n'.encode(), limits=c.Limits()); "
            "print(sorted(m for m in sys.modules if m.startswith('cloudaudit.pii')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == "[]"
