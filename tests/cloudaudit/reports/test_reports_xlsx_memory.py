"""The spreadsheet streams: writing ten times the rows takes no more memory than the bytes it returns.

Issue 18 (flat memory): openpyxl's normal workbook keeps every cell as an object until it is
saved (about 8 KB per Findings row, 40 MB for 5,000 rows); the write-only sheets write each row
to a temporary file as it is appended, and the zip is stamped as it is written, not read back.
"""

from __future__ import annotations

import dataclasses
import io
import tracemalloc

from openpyxl import load_workbook

from cloudaudit.reports.model import CountryReport
from cloudaudit.reports.xlsx import render_workbook
from tests.cloudaudit.reports.reportfactory import make_report

SMALL, LARGE = 500, 5_000
BYTES_PER_EXTRA_ROW = 300  # beyond the larger output itself; openpyxl's normal mode needs ~8,000


def _report(base: CountryReport, rows: int) -> CountryReport:
    """``rows`` findings, each with its own resource and detail (no string shared between rows)."""
    findings = [base.findings[i % len(base.findings)].model_copy(
        update={"resource": f"s3://bucket-{i:06d}", "detail": f"{base.findings[i % len(base.findings)].detail} #{i}"})
        for i in range(rows)]
    return dataclasses.replace(base, findings=findings)


def _peak(report: CountryReport) -> tuple[int, bytes]:
    """Bytes traced at the peak of rendering, above what was allocated before, and the output."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        xlsx = render_workbook(report)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before, xlsx


def test_memory_does_not_grow_with_rows() -> None:
    base = make_report(seed=5, n_findings=200)
    small, large = _report(base, SMALL), _report(base, LARGE)
    render_workbook(_report(base, 50))  # imports and openpyxl's caches, outside the measurement
    small_peak, small_xlsx = _peak(small)
    large_peak, large_xlsx = _peak(large)
    allowed = (len(large_xlsx) - len(small_xlsx)) + BYTES_PER_EXTRA_ROW * (LARGE - SMALL)
    assert large_peak - small_peak < allowed, (small_peak, large_peak, len(small_xlsx), len(large_xlsx))
    # And every row is there, in order, read back.
    findings = load_workbook(io.BytesIO(large_xlsx), read_only=True)["Findings"]
    resources = [row[4] for row in findings.iter_rows(min_row=2, values_only=True)]
    assert len(resources) == LARGE and sorted(resources) == sorted(f.resource for f in large.findings)
