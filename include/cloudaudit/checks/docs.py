"""Generate ``docs/checks.md`` from the checks' metadata: ``python -m cloudaudit.checks.docs > docs/checks.md``.

A test compares the committed file with this output, so the documentation cannot go stale.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys

from cloudaudit.checks.facts import NOT_VALIDATED, ROW_TYPES
from cloudaudit.checks.registry import Check, all_checks, checks_by_table

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


def _exposure() -> str:
    """The facts modules' own account of what counts as public (their docstrings)."""
    from cloudaudit.checks.aws.s3 import facts as s3
    from cloudaudit.checks.gcp.bq import facts as bq
    from cloudaudit.checks.gcp.gcs import facts as gcs

    parts = ["## How exposure is judged", ""]
    for title, module in (("Amazon S3", s3), ("Cloud Storage", gcs), ("BigQuery", bq)):
        doc = inspect.cleandoc(module.__doc__ or "").split("\n", 1)
        parts += [f"### {title}", "", doc[1].strip() if len(doc) > 1 else doc[0], ""]
    return "\n".join(parts)


def _facts_tables() -> str:
    grouped = checks_by_table()
    lines = ["## Facts tables", "",
             "One row per resource (per sampled object for `s3_objects`; per PII field and type for the "
             "`*_pii` tables, which hold rows only where regulated PII was found). Null means unreadable.", ""]
    for table, row_type in ROW_TYPES.items():
        names = [f.name for f in dataclasses.fields(row_type) if f.name not in NOT_VALIDATED]
        checks = ", ".join(f"`{c.check_id}`" for c in grouped.get(table, []))
        lines += [f"- `{table}` ({_cell(inspect.cleandoc(row_type.__doc__ or '').splitlines()[0])}); "
                  f"checks: {checks}; columns: {', '.join(f'`{n}`' for n in names)}"]
    return "\n".join(lines) + "\n"


def render() -> str:
    checks = all_checks()
    index = ["| Check ID | Category | Severity | Title |", "|---|---|---|---|"]
    index += [f"| [{c.check_id}](#{c.check_id}) | {c.metadata.category.value} | {c.metadata.severity.value} | "
              f"{_cell(c.metadata.title)} |" for c in checks]
    return "\n".join([HEADER, *index, "", _exposure(), _facts_tables(), *(_section(c) for c in checks)])


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
