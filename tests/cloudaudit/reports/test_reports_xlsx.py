"""The compliance spreadsheet, read back with openpyxl: sheets, columns, layout, colours, chart, bytes."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from cloudaudit.breach.report import NOTIFICATION_COLUMNS
from cloudaudit.model import COVERAGE_COLUMNS, FINDINGS_COLUMNS, PII_INVENTORY_COLUMNS, PiiType
from cloudaudit.reports.model import CountryReport
from cloudaudit.reports.xlsx import render_workbook
from tests.cloudaudit.reports.reportfactory import RUN_DATE, make_report

SPEC_SHEETS = ["Summary", "Findings", "PII Inventory", "Resources", "Coverage"]
SHEETS = [*SPEC_SHEETS, "Notification"]  # the SPEC's sheets first and unchanged, then issue 16's
RESOURCES_COLUMNS = ["Country", "Environment", "Provider", "Service", "Resource", "Kind", "Location", "Public",
                     "PII Types", "Status", "Notes"]
STATUS_ORDER = ["FAIL", "NOT_ASSESSED", "PASS"]
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]


@pytest.fixture(scope="module")
def report() -> CountryReport:
    return make_report()


@pytest.fixture(scope="module")
def xlsx(report: CountryReport) -> bytes:
    return render_workbook(report)


@pytest.fixture(scope="module")
def wb(xlsx: bytes) -> Workbook:
    return load_workbook(io.BytesIO(xlsx))


def _header(ws: Worksheet) -> list[Any]:
    return [cell.value for cell in ws[1]]


def _records(ws: Worksheet) -> list[dict[str, Any]]:
    header = _header(ws)
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]


def _summary(ws: Worksheet) -> dict[str, tuple[int, Any, Any]]:
    """Item → (row, value, note); later duplicates (section headings share names) keep the first."""
    out: dict[str, tuple[int, Any, Any]] = {}
    for row in range(2, ws.max_row + 1):
        item = ws.cell(row=row, column=1).value
        if item is not None and ws.cell(row=row, column=2).value not in (None, ""):
            out.setdefault(item, (row, ws.cell(row=row, column=2).value, ws.cell(row=row, column=3).value))
    return out


def test_sheets_and_columns_are_exact(wb: Workbook) -> None:
    assert wb.sheetnames == SHEETS
    assert _header(wb["Findings"]) == [*FINDINGS_COLUMNS, "Remediation"]
    assert _header(wb["PII Inventory"]) == list(PII_INVENTORY_COLUMNS)
    assert _header(wb["Resources"]) == RESOURCES_COLUMNS
    assert _header(wb["Coverage"]) == list(COVERAGE_COLUMNS)
    assert _header(wb["Summary"]) == ["Item", "Value", "Note"]
    assert _header(wb["Notification"]) == list(NOTIFICATION_COLUMNS)


def test_every_sheet_has_a_frozen_filtered_header_and_readable_widths(wb: Workbook) -> None:
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1", ws.title
        last_column = ws.cell(row=1, column=len(_header(ws))).column_letter
        assert ws.auto_filter.ref == f"A1:{last_column}{ws.max_row}", ws.title
        for column in range(1, len(_header(ws)) + 1):
            letter = ws.cell(row=1, column=column).column_letter
            assert 8 <= ws.column_dimensions[letter].width <= 61, (ws.title, letter)
            assert ws.column_dimensions[letter].width >= len(str(ws.cell(row=1, column=column).value))


def test_rows_are_all_there_and_formatted(wb: Workbook, report: CountryReport) -> None:
    findings = _records(wb["Findings"])
    assert len(findings) == len(report.findings)
    assert Counter((r["Check ID"], r["Resource"], r["Status"]) for r in findings) == \
        Counter((f.check_id, f.resource, str(f.status)) for f in report.findings)
    for row in findings:
        types = row["PII Types"].split(", ") if row["PII Types"] else []
        assert types == sorted(types) and set(types) <= {str(t) for t in PiiType}
    resources = _records(wb["Resources"])
    assert Counter(r["Public"] for r in resources) == Counter(
        {True: "yes", False: "no", None: "unknown"}[r.public] for r in report.resources)
    assert {r["Public"] for r in _records(wb["PII Inventory"])} <= {"yes", "no"}
    assert len(_records(wb["PII Inventory"])) == len(report.pii_inventory)
    assert len(_records(wb["Coverage"])) == len(report.coverage)


def test_findings_are_ordered_by_status_severity_resource_check(wb: Workbook) -> None:
    rows = _records(wb["Findings"])
    keys = [(STATUS_ORDER.index(r["Status"]), SEVERITY_ORDER.index(r["Severity"]), r["Resource"], r["Check ID"])
            for r in rows]
    assert keys == sorted(keys)
    assert len({r["Status"] for r in rows}) > 1  # the synthetic data exercises the ordering


def _rules(ws: Worksheet) -> dict[str, set[str]]:
    """Conditional-format range → the values it colours."""
    out: dict[str, set[str]] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            assert rule.dxf is not None and rule.dxf.fill is not None
            out.setdefault(str(cf.sqref), set()).update(f.strip('"') for f in rule.formula)
    return out


def test_severity_and_status_are_coloured(wb: Workbook) -> None:
    ws = wb["Findings"]
    last = ws.max_row
    rules = _rules(ws)
    assert rules[f"J2:J{last}"] == set(SEVERITY_ORDER)
    assert rules[f"K2:K{last}"] == set(STATUS_ORDER)
    assert _rules(wb["Coverage"])[f"F2:F{wb['Coverage'].max_row}"] == {"ASSESSED", "PARTIAL", "NOT_ASSESSED"}
    assert "yes" in _rules(wb["PII Inventory"])[f"K2:K{wb['PII Inventory'].max_row}"]


def test_summary_states_the_country_run_and_counts(wb: Workbook, report: CountryReport) -> None:
    summary = _summary(wb["Summary"])
    assert summary["Country"][1] == "JP (Japan)"
    assert summary["Regulation"][1].startswith("APPI")
    assert "PPC" in summary["Breach notification duty"][1]
    assert summary["Run date"][1] == RUN_DATE
    assert summary["Generated"][1] == report.generated_at
    assert summary["Run ID"][1] == report.run_id
    findings = _records(wb["Findings"])
    fails = Counter(r["Severity"] for r in findings if r["Status"] == "FAIL")
    for severity in SEVERITY_ORDER:
        assert summary[severity][1] == fails[severity]
    assert summary["FAIL"][1] == sum(fails.values())
    coverage = Counter(r["Status"] for r in _records(wb["Coverage"]))
    assert (summary["Assessed"][1], summary["Partial"][1], summary["Not assessed"][1]) == \
        (coverage["ASSESSED"], coverage["PARTIAL"], coverage["NOT_ASSESSED"])


def test_summary_lists_open_critical_findings_with_days_open(wb: Workbook) -> None:
    critical = [r for r in _records(wb["Findings"]) if r["Status"] == "FAIL" and r["Severity"] == "critical"]
    assert critical, "synthetic data should hold a critical failure"
    summary = _summary(wb["Summary"])
    for row in critical:
        _, days, note = summary[f"{row['Check ID']}: {row['Resource']}"]
        assert days == (date.fromisoformat(RUN_DATE) - date.fromisoformat(row["First Seen"])).days
        assert row["First Seen"] in note


def test_chart_plots_failures_by_severity(xlsx: bytes, wb: Workbook) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode()
        drawing_rels = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "barChart" in chart and "Failures by severity" in chart
    assert "drawing" in drawing_rels  # anchored on the first sheet, Summary
    refs = re.findall(r"<(?:c:)?f>'?Summary'?!\$([A-Z])\$(\d+):\$([A-Z])\$(\d+)</(?:c:)?f>", chart)
    by_column = {col: (int(start), int(end)) for col, start, _, end in refs}
    ws = wb["Summary"]
    categories = [ws.cell(row=r, column=1).value for r in range(by_column["A"][0], by_column["A"][1] + 1)]
    values = [ws.cell(row=r, column=2).value for r in range(by_column["B"][0], by_column["B"][1] + 1)]
    assert categories == SEVERITY_ORDER
    fails = Counter(r["Severity"] for r in _records(wb["Findings"]) if r["Status"] == "FAIL")
    assert values == [fails[s] for s in SEVERITY_ORDER]


def _captured_cells(ws: Worksheet) -> tuple[Any, Any]:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == "Configuration captured":
            return ws.cell(row=row, column=2), ws.cell(row=row, column=3)
    raise AssertionError("no 'Configuration captured' row")


def test_capture_after_the_run_date_is_flagged_in_red(wb: Workbook) -> None:
    on_time, note = _captured_cells(wb["Summary"])
    assert on_time.fill.fill_type is None and not note.value
    late_wb = load_workbook(io.BytesIO(render_workbook(make_report(captured_late=True))))
    value, note = _captured_cells(late_wb["Summary"])
    assert "2026-11-22" in value.value
    assert value.fill.fill_type == "solid" and value.fill.start_color.rgb.endswith("F8696B")
    assert "after the run date" in note.value


def test_identical_reports_give_identical_bytes(report: CountryReport, xlsx: bytes,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # a different wall clock: 2033
    assert render_workbook(make_report()) == xlsx
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 22, 4, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-22T04:00:00Z" in core
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2026-11-22T04:00:00Z" in core
    assert render_workbook(make_report(seed=2)) != xlsx  # and different reports differ


def test_text_that_looks_like_a_formula_stays_text() -> None:
    from dataclasses import replace

    base = make_report(n_findings=3)
    hostile = '=HYPERLINK("http://127.0.0.1/x","open")'
    tricky = base.findings[0].model_copy(update={"resource": hostile, "detail": "bad\x00char\x1b"})
    wb = load_workbook(io.BytesIO(render_workbook(replace(base, findings=[tricky, *base.findings[1:]]))))
    cells = [c for row in wb["Findings"].iter_rows(min_row=2) for c in row if c.value == hostile]
    assert cells and all(c.data_type == "s" for c in cells)
    assert any(r["Detail"] == "bad\ufffdchar\ufffd" for r in _records(wb["Findings"]))


def test_a_country_with_nothing_readable_still_gets_a_workbook() -> None:
    wb = load_workbook(io.BytesIO(render_workbook(make_report(empty=True))))
    assert wb.sheetnames == SHEETS
    assert wb["Findings"].max_row == 1 and wb["Findings"].auto_filter.ref == "A1:P1"
    assert [r["Status"] for r in _records(wb["Coverage"])] == ["NOT_ASSESSED"]
    value, _ = _captured_cells(wb["Summary"])
    assert value.value.startswith("not captured")


def _soffice(office: str, profile: Path, out: Path, target: str, source: Path) -> None:
    subprocess.run([office, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", target,
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)


# LibreOffice's CSV filter: comma, double quote, UTF-8, first line 1, all sheets (-1) to <name>-<Sheet>.csv
_ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def test_libreoffice_opens_it(tmp_path: Path, report: CountryReport) -> None:
    """LibreOffice reads every sheet as openpyxl wrote it (formula-like text stays text), and prints it."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    hostile = report.findings[0].model_copy(update={"resource": "=1+1", "detail": '=HYPERLINK("http://127.0.0.1","x")'})
    xlsx = render_workbook(dataclasses.replace(report, findings=[hostile, *report.findings[1:]]))
    wb = load_workbook(io.BytesIO(xlsx))
    source = tmp_path / "compliance_JP_2026-11-20.xlsx"
    source.write_bytes(xlsx)
    profile = tmp_path / "profile"  # a private profile: no clash with another soffice on the machine
    _soffice(office, profile, tmp_path, "pdf", source)
    pdf = (tmp_path / "compliance_JP_2026-11-20.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= len(SHEETS)
    _soffice(office, profile, tmp_path, _ALL_SHEETS_CSV, source)
    for ws in wb.worksheets:
        with (tmp_path / f"compliance_JP_2026-11-20-{ws.title}.csv").open(encoding="utf-8", newline="") as handle:
            seen = list(csv.reader(handle))
        written = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        assert seen == written, ws.title
    assert any(row[4] == "=1+1" for row in written_findings(tmp_path))


def written_findings(directory: Path) -> list[list[str]]:
    with (directory / "compliance_JP_2026-11-20-Findings.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_bytes_do_not_depend_on_the_process(xlsx: bytes) -> None:
    """Re-runs happen in new processes: hash randomisation must not reorder anything."""
    script = ("import sys; from reportfactory import make_report; from cloudaudit.reports.xlsx import render_workbook; "
              "sys.stdout.buffer.write(render_workbook(make_report()))")
    for seed in ("1", "4242"):
        out = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent, capture_output=True,
                             check=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        assert out == xlsx


def test_an_unmasked_example_never_reaches_the_spreadsheet(report: CountryReport) -> None:
    """Defence in depth: a raw value that slipped past masking upstream is masked here."""
    from stdnum.jp import in_ as my_number

    body = "".join(str(random.Random(7).randint(0, 9)) for _ in range(11))
    raw = body + my_number.calc_check_digit(body)  # a valid synthetic My Number
    assert my_number.is_valid(raw)
    leaked = report.pii_inventory[0].model_copy(update={"masked_example": raw})
    xlsx = render_workbook(dataclasses.replace(report, pii_inventory=[leaked, *report.pii_inventory[1:]]))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert raw.encode() not in everything and raw[:8].encode() not in everything
    examples = [r["Masked Example"] for r in _records(load_workbook(io.BytesIO(xlsx))["PII Inventory"])]
    assert "*" * 8 + raw[-4:] in examples
