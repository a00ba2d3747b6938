"""The compliance spreadsheet ``compliance_<CC>_<D>.xlsx`` (openpyxl), byte-for-byte reproducible.

Sheets, in order: Summary, Findings, PII Inventory, Resources, Coverage. Row 1 of each is
its header. Identical reports give identical bytes: workbook times come from
``generated_at`` and every zip entry is written with that fixed timestamp. Sheets stream
(``reports.sheet``): memory holds the report, not its cells, however many rows it has.
Import this module inside tasks only (openpyxl).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from cloudaudit.breach.report import NOTIFICATION_COLUMNS, NOTIFICATION_SHEET
from cloudaudit.evidence.zipwrite import StampedZipFile, zip_timestamp
from cloudaudit.model import (
    COVERAGE_COLUMNS,
    FINDINGS_COLUMNS,
    PII_INVENTORY_COLUMNS,
    CoverageRow,
    Finding,
    PiiInventoryRow,
    PiiType,
    ResourceRow,
)
from cloudaudit.reports.model import CountryReport
from cloudaudit.reports.sheet import (
    COVERAGE_FILLS,
    PUBLIC_FILLS,
    SEVERITY_FILLS,
    STATUS_FILLS,
    StreamedSheet,
    colour_column,
    new_sheet,
    write_table,
)
from cloudaudit.reports.summary import sort_findings
from cloudaudit.reports.summary_sheet import write_summary

SHEETS = ("Summary", "Findings", "PII Inventory", "Resources", "Coverage")
FINDINGS_SHEET_COLUMNS = (*FINDINGS_COLUMNS, "Remediation")
RESOURCES_COLUMNS = ("Country", "Environment", "Provider", "Service", "Resource", "Kind", "Location", "Public",
                     "PII Types", "Status", "Notes")


def pii_types_text(types: Iterable[PiiType]) -> str:
    """Comma-separated, sorted, each once.

    >>> pii_types_text([PiiType.VIN, PiiType.EMAIL_ADDRESS, PiiType.VIN])
    'EMAIL_ADDRESS, VIN'
    """
    return ", ".join(sorted({str(t) for t in types}))


def public_text(public: bool | None) -> str:
    """>>> public_text(True), public_text(False), public_text(None)
    ('yes', 'no', 'unknown')
    """
    return "unknown" if public is None else ("yes" if public else "no")


def masked_text(example: str) -> str:
    """A masked example as the SPEC allows it: at most the last 4 characters in clear.

    Upstream masks already; this is the last line of defence, so that a value that slipped
    through unmasked still never reaches an auditor's spreadsheet.

    >>> masked_text("********0257"), masked_text("123456780257"), masked_text("")
    ('********0257', '********0257', '')
    """
    if sum(1 for ch in example if ch != "*") <= 4:
        return example
    return "*" * max(len(example) - 4, 0) + example[-4:]


def finding_row(f: Finding) -> list[Any]:
    return [f.country, f.environment, f.provider, f.service, f.resource, f.location, f.check_id, f.check,
            str(f.category), str(f.severity), str(f.status), f.detail, pii_types_text(f.pii_types),
            f.first_seen, f.evidence, f.remediation]


def pii_row(r: PiiInventoryRow) -> list[Any]:
    return [r.country, r.environment, r.provider, r.resource, r.location, r.field, str(r.pii_type),
            r.rows_sampled, r.matches, masked_text(r.masked_example), public_text(r.public)]


def resource_row(r: ResourceRow) -> list[Any]:
    return [r.country, r.environment, r.provider, r.service, r.resource, r.kind, r.location,
            public_text(r.public), pii_types_text(r.pii_types), str(r.status), r.notes]


def coverage_row(r: CoverageRow) -> list[Any]:
    return [r.country, r.environment, r.provider, r.service, r.resource, str(r.status), r.reason,
            r.objects_sampled, r.rows_sampled]


def _pii_sort_key(r: PiiInventoryRow) -> tuple[bool, str, str, str, str]:
    return (r.public is not True, r.environment, r.resource, r.field, str(r.pii_type))  # public exposures first


def _table(wb: Workbook, title: str, headers: Sequence[str], rows: Callable[[], Iterable[Sequence[Any]]],
           wrap: Iterable[str] = ()) -> tuple[StreamedSheet, int]:
    ws = new_sheet(wb, title)
    return ws, write_table(ws, headers, rows, wrap)


def build_workbook(report: CountryReport) -> Workbook:
    """The workbook, its sheets' rows already streamed to temporary files: save it (once) with
    ``save_workbook_bytes``. Memory holds the report and openpyxl's shared strings, not the cells."""
    wb = Workbook(write_only=True)
    write_summary(new_sheet(wb, "Summary"), report)

    findings = sort_findings(report.findings)
    ws, last = _table(wb, "Findings", FINDINGS_SHEET_COLUMNS, lambda: (finding_row(f) for f in findings),
                      wrap=("Detail", "Remediation"))
    colour_column(ws, FINDINGS_SHEET_COLUMNS, "Severity", last, SEVERITY_FILLS)
    colour_column(ws, FINDINGS_SHEET_COLUMNS, "Status", last, STATUS_FILLS)

    pii = sorted(report.pii_inventory, key=_pii_sort_key)
    ws, last = _table(wb, "PII Inventory", PII_INVENTORY_COLUMNS, lambda: (pii_row(r) for r in pii))
    colour_column(ws, PII_INVENTORY_COLUMNS, "Public", last, PUBLIC_FILLS)

    resources = sorted(report.resources, key=lambda r: (r.environment, r.resource))
    ws, last = _table(wb, "Resources", RESOURCES_COLUMNS, lambda: (resource_row(r) for r in resources),
                      wrap=("Notes",))
    colour_column(ws, RESOURCES_COLUMNS, "Public", last, PUBLIC_FILLS)
    colour_column(ws, RESOURCES_COLUMNS, "Status", last, COVERAGE_FILLS)

    coverage = sorted(report.coverage, key=lambda r: (r.environment, r.resource))
    ws, last = _table(wb, "Coverage", COVERAGE_COLUMNS, lambda: (coverage_row(r) for r in coverage), wrap=("Reason",))
    colour_column(ws, COVERAGE_COLUMNS, "Status", last, COVERAGE_FILLS)

    # After the SPEC's sheets, which stay exactly as they are: decision support per exposure.
    _table(wb, NOTIFICATION_SHEET, NOTIFICATION_COLUMNS, lambda: (row.cells() for row in report.notification),
           wrap=("Estimate Basis", "Reason", "Authority Deadline", "Individuals Deadline", "Citation"))

    _set_properties(wb, report)
    return wb


def _utc_naive(moment: str) -> datetime:
    """openpyxl writes document times as naive UTC."""
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def _set_properties(wb: Workbook, report: CountryReport) -> None:
    generated = _utc_naive(report.generated_at)
    props = wb.properties
    props.creator = f"cloudaudit {report.tool_version}"
    props.lastModifiedBy = props.creator
    props.title = f"Compliance report {report.country} {report.run_date}"
    props.subject = report.policy.regulation
    props.created = generated
    props.modified = generated


def save_workbook_bytes(wb: Workbook, generated_at: str) -> bytes:
    """Serialise without openpyxl's wall-clock ``modified`` stamp, every zip entry stamped with
    ``generated_at``; the sheets stream from openpyxl's temporary files into the zip."""
    buffer = io.BytesIO()
    with StampedZipFile(buffer, zip_timestamp(_utc_naive(generated_at))) as archive:
        ExcelWriter(wb, archive).write_data()
    return buffer.getvalue()


def render_workbook(report: CountryReport) -> bytes:
    """The spreadsheet's bytes; identical reports give identical bytes."""
    return save_workbook_bytes(build_workbook(report), report.generated_at)
