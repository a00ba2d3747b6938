"""What the portal shows of one report: FAIL counts by severity, open critical findings, and
whether its bundle verifies. Read from the published files only, and cached by file version."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cloudaudit.model import Severity, Status
from cloudaudit.reports.summary import days_open

FINDINGS_SHEET = "Findings"


@dataclass(frozen=True)
class ReportCounts:
    fail_by_severity: dict[str, int]
    open_critical: int
    max_days_open: int


@dataclass(frozen=True)
class BundleCheck:
    verified: bool
    problems: tuple[str, ...] = ()
    fingerprint: str | None = None


def counts_from_workbook(data: bytes, run_date: str) -> ReportCounts:
    """Counts from the Findings sheet of a published spreadsheet (SPEC columns, any order)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = wb[FINDINGS_SHEET].iter_rows(values_only=True)
        header = [str(c) if c is not None else "" for c in next(rows, ())]
        col = {name: header.index(name) for name in ("Severity", "Status", "First Seen") if name in header}
        if len(col) < 3:
            raise ValueError("the Findings sheet lacks Severity, Status or First Seen")
        fails = {s.value: 0 for s in Severity}
        open_critical, oldest = 0, 0
        for row in rows:
            if str(row[col["Status"]] or "") != Status.FAIL.value:
                continue
            severity = str(row[col["Severity"]] or "")
            if severity in fails:
                fails[severity] += 1
            if severity == Severity.CRITICAL.value:
                open_critical += 1
                oldest = max(oldest, days_open(str(row[col["First Seen"]] or ""), run_date))
        return ReportCounts(fails, open_critical, oldest)
    finally:
        wb.close()


def check_bundle(data: bytes, public_key: Path | None = None) -> BundleCheck:
    """``cloudaudit verify`` on the bundle's bytes (against a pinned key when one is configured)."""
    from cloudaudit.evidence.verify import verify_bundle

    with tempfile.TemporaryDirectory(prefix="cloudaudit-portal-") as tmp:
        path = Path(tmp) / "bundle.zip"
        path.write_bytes(data)
        result = verify_bundle(path, public_key)
        return BundleCheck(result.ok, tuple(result.problems), result.key_fingerprint)


@dataclass
class VersionCache:
    """Results keyed by (file key, file version): recomputed only when a file changes."""

    entries: dict[str, tuple[str, object]] = field(default_factory=dict)

    def get(self, key: str, version: str, compute: Callable[[], object]) -> object:
        hit = self.entries.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        self.entries[key] = (version, value)
        return value
