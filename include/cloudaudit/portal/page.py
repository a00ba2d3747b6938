"""The "Compliance reports" page: one server-rendered HTML table, no script, every value escaped.

It is shown in an iframe inside the Airflow UI; links are relative to the portal's root so an
Airflow ``base_url`` subpath keeps working, and the filter form is a plain GET.
"""

from __future__ import annotations

from html import escape

from cloudaudit.portal.api_models import ReportList, ReportSummary

SEVERITIES = ("critical", "high", "medium", "low", "info")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem;color:#1a202c}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e2e8f0;padding:.35rem .5rem;text-align:left}
th{background:#f7fafc}td.n{text-align:right}.badge{padding:.1rem .45rem;border-radius:.6rem;font-size:.85em}
.ok{background:#c6f6d5;color:#22543d}.bad{background:#fed7d7;color:#742a2a}.none{background:#edf2f7}
.crit{color:#c53030;font-weight:600}form{margin:.5rem 0 1rem}label{margin-right:.75rem}.err{color:#c53030}
"""


def _badge(report: ReportSummary) -> str:
    if report.verified is None:
        return '<span class="badge none">no bundle</span>'
    if report.verified:
        return '<span class="badge ok" data-verified="true">verified</span>'
    why = escape("; ".join(report.verify_problems)[:300])
    return f'<span class="badge bad" data-verified="false" title="{why}">failed</span>'


def _row(report: ReportSummary) -> str:
    fails = report.fail_by_severity or {}
    cells = [f"<td>{escape(report.country)}</td>", f"<td>{escape(report.date)}</td>"]
    for severity in SEVERITIES:
        value = fails.get(severity)
        cls = "n crit" if severity == "critical" and value else "n"
        cells.append(f'<td class="{cls}">{"" if value is None else value}</td>')
    cells.append(f'<td class="n">{"" if report.open_critical is None else report.open_critical}</td>')
    cells.append(f'<td class="n">{"" if report.max_days_open is None else report.max_days_open}</td>')
    cells.append(f"<td>{_badge(report)}</td>")
    links = []
    if report.files.spreadsheet:
        links.append(f'<a href="{escape(report.files.spreadsheet)}" download>spreadsheet</a>')
    if report.files.bundle:
        links.append(f'<a href="{escape(report.files.bundle)}" download>bundle</a>')
    cells.append(f"<td>{' · '.join(links)}</td>")
    return f'<tr data-country="{escape(report.country)}" data-date="{escape(report.date)}">{"".join(cells)}</tr>'


def render_page(result: ReportList, user_name: str, country: str, since: str, until: str,
                error: str | None = None) -> str:
    options = "".join(
        f'<option value="{escape(c)}"{" selected" if c == country.upper() else ""}>{escape(c)}</option>'
        for c in result.countries)
    head = "".join(f"<th>{escape(s.capitalize())}</th>" for s in SEVERITIES)
    rows = "".join(_row(r) for r in result.reports) or '<tr><td colspan="12">No reports.</td></tr>'
    problem = f'<p class="err" role="alert">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Compliance reports</title><style>{_STYLE}</style></head>
<body>
<h1>Compliance reports</h1>
<p>Signed in as <strong>{escape(user_name)}</strong>. Countries you may see:
{escape(", ".join(result.countries)) or "none"}.</p>
<form method="get" action="">
<label>Country <select name="country"><option value="">all</option>{options}</select></label>
<label>From <input type="date" name="from" value="{escape(since)}"></label>
<label>To <input type="date" name="to" value="{escape(until)}"></label>
<button type="submit">Filter</button>
</form>
{problem}
<table id="reports"><thead><tr><th>Country</th><th>Date</th>{head}<th>Open critical</th><th>Days open</th>
<th>Evidence</th><th>Download</th></tr></thead><tbody>{rows}</tbody></table>
<p><small>FAIL findings by severity. The evidence badge is <code>cloudaudit verify</code> of the bundle.
<a href="api/docs">API</a></small></p>
</body></html>
"""
