"""Generate ``docs/checks.md`` from the checks' metadata: ``python -m cloudaudit.checks.docs > docs/checks.md``.

A test compares the committed file with this output, so the documentation cannot go stale.
"""

from __future__ import annotations

import sys

from cloudaudit.checks.registry import Check, all_checks

HEADER = """# Checks

Generated from `include/cloudaudit/checks/**/<check_id>.metadata.json` by
`python -m cloudaudit.checks.docs > docs/checks.md`; do not edit by hand.

Every check except `coverage_not_assessed` is one Great Expectations expectation,
`expect_column_values_to_be_in_set(<column>, <passing values>)`, over a facts table built
from the configuration snapshots (one suite per facts table and country). A fact that could
not be read is null: the check is then NOT_ASSESSED, never PASS. Severities are defaults;
each country policy (`include/config/policies/<cc>.yaml`) may set its own.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(check: Check) -> str:
    meta = check.metadata
    lines = [f"## {meta.check_id}", "", f"**{meta.title}**", ""]
    facts = f"`{meta.facts_table}`, column `{check.column}`" if meta.facts_table else "coverage rows (no expectation)"
    lines += [
        "| | |", "|---|---|",
        f"| Provider / service | {meta.provider.value if meta.provider else 'all'} / "
        f"{meta.service.value if meta.service else 'all'} |",
        f"| Category | {meta.category.value} |",
        f"| Default severity | {meta.severity.value} |",
        f"| Facts | {facts} |",
        "",
        f"**Risk.** {meta.risk}", "",
        f"**Remediation.** {meta.remediation.text}", "",
        f"- Console: {meta.remediation.console}",
        f"- CLI: `{meta.remediation.cli}`",
    ]
    if meta.references:
        lines += ["", "References: " + ", ".join(f"<{url}>" for url in meta.references)]
    return "\n".join(lines) + "\n"


def render() -> str:
    checks = all_checks()
    index = ["| Check ID | Category | Severity | Title |", "|---|---|---|---|"]
    index += [f"| [{c.check_id}](#{c.check_id}) | {c.metadata.category.value} | {c.metadata.severity.value} | "
              f"{_cell(c.metadata.title)} |" for c in checks]
    return "\n".join([HEADER, *index, "", *(_section(c) for c in checks)])


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
