"""The portal inside a real api-server: Airflow's own tokens, FAB roles granted per country.

A JP auditor lists and downloads JP reports only; a TH auditor is refused JP on every route;
anonymous callers get 401; the admin (granted ``ALL``) sees every country. The plugin's menu
entry is served by the api-server's plugin list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cloudaudit.portal.published import Planned, publish_all
from tests.e2e.airflow_stack import postgres_unavailable_reason
from tests.e2e.portal_stack import PortalStack, portal_stack

pytestmark = pytest.mark.slow
D1, D2 = "2026-11-19", "2026-11-20"
PLANS = [Planned("JP", D1, 1, "2026-11-01"), Planned("JP", D2, 2, "2026-11-01"), Planned("TH", D2, 1, D2)]
JP_XLSX = f"/cloudaudit/api/reports/JP/{D2}/compliance_JP_{D2}.xlsx"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_all(tmp_path_factory.mktemp("portal-output"), PLANS)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, output: Path) -> Iterator[PortalStack]:
    reason = postgres_unavailable_reason()
    if reason:  # under CI=true a skip is a failure (tests/conftest.py)
        pytest.skip(f"{reason}: the portal test needs a PostgreSQL metadata DB (CI starts one)")
    with portal_stack(tmp_path_factory.mktemp("portal-stack"), output) as stack:
        yield stack


def _reports(portal: PortalStack, user: str) -> list[tuple[str, str]]:
    status, _, body = portal.get("/cloudaudit/api/reports", user)
    assert status == 200, body[:500]
    return [(r["country"], r["date"]) for r in json.loads(body)["reports"]]


def test_jp_auditor_downloads_the_jp_spreadsheet(portal: PortalStack, output: Path) -> None:
    assert _reports(portal, "jp_auditor") == [("JP", D2), ("JP", D1)]
    status, headers, body = portal.get(JP_XLSX, "jp_auditor")
    assert status == 200 and headers["content-type"].startswith("application/vnd.openxmlformats")
    assert body == (output / D2 / "JP" / f"compliance_JP_{D2}.xlsx").read_bytes()
    audit = portal.stack.logs["api-server"].read_text(errors="replace")
    assert f"download user=jp_auditor country=JP date={D2} file=compliance_JP_{D2}.xlsx" in audit


@pytest.mark.parametrize("path", [f"/cloudaudit/api/reports/JP/{D2}", JP_XLSX,
                                  f"/cloudaudit/api/reports/JP/{D2}/evidence_JP_{D2}.zip",
                                  "/cloudaudit/api/reports?country=JP"])
def test_th_auditor_is_refused_jp(portal: PortalStack, path: str) -> None:
    status, _, body = portal.get(path, "th_auditor")
    assert status == 403 and json.loads(body) == {"detail": "no access to country JP"}


def test_th_auditor_lists_only_th(portal: PortalStack) -> None:
    assert _reports(portal, "th_auditor") == [("TH", D2)]


@pytest.mark.parametrize("path", ["/cloudaudit/", "/cloudaudit/api/reports", JP_XLSX])
def test_anonymous_gets_401(portal: PortalStack, path: str) -> None:
    status, headers, body = portal.get(path)
    assert status == 401 and headers["content-type"] == "application/json", body[:200]


def test_admin_sees_every_country(portal: PortalStack) -> None:
    assert _reports(portal, "admin") == [("JP", D2), ("TH", D2), ("JP", D1)]


def test_traversal_through_the_api_server_is_refused(portal: PortalStack) -> None:
    status, headers, _ = portal.get(f"/cloudaudit/api/reports/JP/{D2}/..%2F..%2F..%2Fetc%2Fpasswd", "admin")
    assert status in (400, 404) and headers["content-type"] == "application/json"


def test_plugin_registers_the_compliance_reports_view(portal: PortalStack) -> None:
    status, _, body = portal.get("/api/v2/plugins", "jp_auditor")
    assert status == 200, body[:300]
    views = [v for p in json.loads(body)["plugins"] for v in p.get("external_views", [])]
    assert {"name": "Compliance reports", "url_route": "compliance-reports"}.items() <= views[0].items()
