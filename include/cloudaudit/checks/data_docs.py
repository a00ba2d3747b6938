"""Static HTML for validation results: the Data Docs of the evidence bundle.

``render_data_docs(results)`` → ``{"data_docs/index.html": ..., "data_docs/validations/<suite>.html": ...}``:
self-contained pages, no scripts, every value escaped. Results hold facts only (no raw PII).

Why not GX's own Data Docs builder: measured with GX 1.24.1, its pages differ on every build
for the same results (build timestamps in image URLs, random element IDs), so a re-run would
not reproduce the bundle byte for byte, and they load scripts, styles and images from CDNs and
GX's S3 bucket, so opening a bundle would reach the internet.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from cloudaudit.evidence.layout import data_docs_member

_STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
          ".fail{background:#fdd}.pass{background:#dfd}")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def _row(cells: list[str], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def suite_page(name: str, result: Mapping[str, Any]) -> str:
    stats = result.get("statistics", {})
    rows = []
    for item in result.get("results", []):
        config = item.get("expectation_config", {})
        kwargs = config.get("kwargs", {})
        outcome = item.get("result", {})
        failing = sorted({str(u.get("resource")) for u in outcome.get("unexpected_index_list") or []})
        rows.append(_row([
            html.escape(str(config.get("meta", {}).get("check_id", ""))),
            html.escape(f"{config.get('type', '')}({kwargs.get('column', '')} in "
                        f"{json.dumps(kwargs.get('value_set', []))})"),
            "PASS" if item.get("success") else "FAIL",
            str(outcome.get("element_count", "")), str(outcome.get("missing_count", "")),
            "<br>".join(html.escape(f) for f in failing),
        ], "pass" if item.get("success") else "fail"))
    header = _row(["Check ID", "Expectation", "Result", "Rows", "Null (not assessed)", "Failing resources"])
    summary = (f"<p>Evaluated {stats.get('evaluated_expectations', 0)}, successful "
               f"{stats.get('successful_expectations', 0)}; validated at "
               f"{html.escape(str(result.get('meta', {}).get('validation_time', '')))}</p>")
    return _page(f"Validation: {name}", summary + f"<table>{header}{''.join(rows)}</table>")


def render_data_docs(results: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    pages = {data_docs_member(f"validations/{name}.html"): suite_page(name, result)
             for name, result in sorted(results.items())}
    links = "".join(
        _row([f'<a href="validations/{html.escape(name)}.html">{html.escape(name)}</a>',
              "PASS" if result.get("success") else "FAIL"], "pass" if result.get("success") else "fail")
        for name, result in sorted(results.items()))
    pages[data_docs_member("index.html")] = _page("Validation results", f"<table>{_row(['Suite', 'Result'])}{links}</table>")
    return pages
