"""docs/checks.md is generated from the checks' metadata and must not go stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cloudaudit.checks.docs import render
from cloudaudit.checks.registry import all_checks

DOCS = Path(__file__).resolve().parents[3] / "docs" / "checks.md"


def test_docs_checks_md_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/checks.md is stale: run `python -m cloudaudit.checks.docs > docs/checks.md`")


def test_docs_name_every_check_with_its_remediation() -> None:
    text = render()
    for check in all_checks():
        assert f"## {check.check_id}" in text
        assert check.metadata.remediation.cli in text


def test_module_entry_point_prints_the_docs() -> None:
    out = subprocess.run([sys.executable, "-m", "cloudaudit.checks.docs"], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout == render()
