"""The Summary sheet: a key/value table (Item | Value | Note) and a bar chart of failures by severity.

It states the country and what its law requires, when the configuration was captured
(in red when after the run date), coverage, FAIL counts and how long each critical
finding has been open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Font

from cloudaudit.model import CoverageStatus, Status
from cloudaudit.reports.model import CountryReport
from cloudaudit.reports.sheet import RED, SEVERITY_FILLS, StreamedSheet, fill, write_table
from cloudaudit.reports.summary import (
    SEVERITY_ORDER,
    coverage_counts,
    fail_counts_by_category,
    fail_counts_by_severity,
    open_critical,
    status_counts,
)

SUMMARY_COLUMNS = ("Item", "Value", "Note")
SECTION_FONT = Font(bold=True, size=12)
LATE_FONT = Font(bold=True, color="C00000")
VALUE_ALIGNMENT = Alignment(horizontal="left", vertical="top", wrap_text=True)
CAPTURED_LATE_NOTE = ("Captured after the run date: this shows the configuration as read then, "
                      "not necessarily as it was on the run date.")


@dataclass(frozen=True)
class Line:
    item: str
    value: Any = ""
    note: str = ""
    kind: str = ""  # "section", "late", or a severity (coloured)


def _captured(report: CountryReport) -> str:
    low, high = report.captured_at_min, report.captured_at_max
    if not low and not high:
        return "not captured (no environment could be read)"
    return str(low or high) if low == high or not (low and high) else f"{low} to {high}"


def _policy_lines(report: CountryReport) -> list[Line]:
    policy = report.policy
    country = f"{report.country} ({policy.name})" if policy.name else report.country
    return [
        Line("Country and regulation", kind="section"),
        Line("Country", country),
        Line("Regulation", policy.regulation),
        Line("Regulator", policy.regulator or "not stated in the policy"),
        Line("Breach notification duty", policy.breach_notification or "not stated in the policy"),
        Line("Allowed storage locations", ", ".join(policy.allowed_locations)),
        Line("Regulated PII types", ", ".join(sorted(str(t) for t in policy.regulated_pii))),
        Line("Policy digest (SHA-256)", policy.digest()),
    ]


def _run_lines(report: CountryReport) -> list[Line]:
    late = report.captured_late
    return [
        Line("Run", kind="section"),
        Line("Run date", report.run_date),
        Line("Configuration captured", _captured(report), CAPTURED_LATE_NOTE if late else "",
             kind="late" if late else ""),
        Line("Generated", report.generated_at),
        Line("DAG", report.dag_id),
        Line("Run ID", report.run_id),
        Line("Tool version", f"cloudaudit {report.tool_version}"),
        Line("Evidence bundle", f"evidence_{report.country}_{report.run_date}.zip",
             "signed; check it with: cloudaudit verify <bundle> --public-key <signer's key>"),
    ]


def _count_lines(report: CountryReport) -> tuple[list[Line], list[Line]]:
    """Coverage and findings counts, and separately the severity rows the chart plots."""
    coverage = coverage_counts(report.coverage)
    statuses = status_counts(report.findings)
    lines = [
        Line("Coverage", kind="section"),
        Line("Assessed", coverage[CoverageStatus.ASSESSED], "configuration and samples read"),
        Line("Partial", coverage[CoverageStatus.PARTIAL], "configuration read, sample skipped (see Coverage)"),
        Line("Not assessed", coverage[CoverageStatus.NOT_ASSESSED], "could not be read (see Coverage)"),
        Line("Resources listed", len(report.resources)),
        Line("Findings", kind="section"),
        Line("FAIL", statuses[Status.FAIL]),
        Line("NOT_ASSESSED", statuses[Status.NOT_ASSESSED]),
        Line("PASS", statuses[Status.PASS]),
        Line("Failures by severity", kind="section"),
    ]
    severity = [Line(str(sev), n, kind=str(sev)) for sev, n in fail_counts_by_severity(report.findings).items()]
    return lines, severity


def _notification_lines(report: CountryReport) -> list[Line]:
    from cloudaudit.breach.report import summary

    count, due = summary(report.notification)
    when = due.due.strftime("%Y-%m-%d %H:%M UTC") if due is not None and due.due is not None else "none with a set period"
    note = f"{due.audience}: {due.text}" if due is not None else "see the Notification sheet"
    rules = sorted({r.assessment.rule_id for r in report.notification if r.assessment.rule_id})
    return [Line("Breach notification", kind="section"),
            Line("Notifiable exposures", count, "under the rules in force on the run date: "
                 + (", ".join(rules) or "none apply") + " (decision support, not legal advice)"),
            Line("Nearest deadline", when, note)]


def _tail_lines(report: CountryReport) -> list[Line]:
    lines = [*_notification_lines(report), Line("Failures by category", kind="section")]
    lines += [Line(str(cat), n) for cat, n in fail_counts_by_category(report.findings).items()]
    lines.append(Line("Open critical findings (days open)", kind="section"))
    opened = open_critical(report.findings, report.run_date)
    if not opened:
        lines.append(Line("none", "", "no critical finding is open"))
    for row in opened:
        f = row.finding
        since = f.first_seen or report.run_date
        lines.append(Line(f"{f.check_id}: {f.resource}", row.days_open, f"first seen {since} ({f.environment})"))
    return lines


def _add_chart(ws: StreamedSheet, first_row: int, last_row: int) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.title = "Failures by severity"
    chart.y_axis.title = "FAIL findings"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=first_row, max_row=last_row), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row, max_row=last_row))
    series = chart.series[0]
    for index, severity in enumerate(SEVERITY_ORDER):  # the rows plotted are in this order
        colour = SEVERITY_FILLS[str(severity)]
        series.dPt.append(DataPoint(idx=index, spPr=GraphicalProperties(solidFill=colour)))
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, "E2")


def write_summary(ws: StreamedSheet, report: CountryReport) -> None:
    counts, severity = _count_lines(report)
    head = [*_policy_lines(report), *_run_lines(report), *counts]
    lines = [*head, *severity, *_tail_lines(report)]

    def style(row: int, cells: list[Cell]) -> None:
        line = lines[row - 2]  # row 1 is the header
        cells[1].alignment = VALUE_ALIGNMENT  # numbers beside text, not far right
        if line.kind == "section":
            cells[0].font = SECTION_FONT
        elif line.kind == "late":
            cells[1].fill = fill(RED)
            cells[1].font = LATE_FONT
            cells[2].font = LATE_FONT
        elif line.kind in SEVERITY_FILLS:
            cells[0].fill = fill(SEVERITY_FILLS[line.kind])

    write_table(ws, SUMMARY_COLUMNS, lambda: ([line.item, line.value, line.note] for line in lines),
                wrap=("Value", "Note"), style_row=style)
    first = 2 + len(head)  # row 1 is the header
    _add_chart(ws, first, first + len(severity) - 1)
