"""The portal's routes: who sees what, how bad input is refused, and what a download logs.

The app runs with Airflow's real ``get_user`` dependency replaced by one that reads a test
header (the real one is exercised against a real api-server in tests/e2e), and with a stand-in
auth manager answering ``is_authorized_custom_view`` from a permission table, as FAB does.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import HTTPException, Request
from fastapi.testclient import TestClient

from cloudaudit.portal.access import AuthManagerAccess
from cloudaudit.portal.app import airflow_user_dependency, create_app
from tests.cloudaudit.portal.published import Planned, publish, publish_all

D1, D2 = "2026-11-19", "2026-11-20"
PLANS = [Planned("JP", D1, 1, "2026-11-01"), Planned("JP", D2, 2, "2026-11-01"),
         Planned("TH", D2, 0, ""), Planned("VN", D2, 1, D2)]


@dataclass
class FakeUser:
    name: str
    perms: set[tuple[str, str]] = field(default_factory=set)

    def get_name(self) -> str:
        return self.name


class FabLikeAuthManager:
    """Answers like FAB: (can_read, resource) must be among the user's permissions."""

    def is_authorized_custom_view(self, *, method: str, resource_name: str, user: FakeUser) -> bool:
        return method == "GET" and ("can_read", resource_name) in user.perms


class SimpleAuthManager:  # the name is what the portal recognises
    def is_authorized_custom_view(self, *, method: str, resource_name: str, user: Any) -> bool:
        return True


USERS = {
    "jp_auditor": FakeUser("jp_auditor", {("can_read", "cloudaudit:JP")}),
    "th_auditor": FakeUser("th_auditor", {("can_read", "cloudaudit:TH")}),
    "admin": FakeUser("admin", {("can_read", "cloudaudit:ALL")}),
    "nobody": FakeUser("nobody", {("can_read", "DAGs")}),
}


def _user_from_header(request: Request) -> FakeUser:
    name = request.headers.get("x-test-user")
    if name not in USERS:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return USERS[name]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = publish_all(tmp_path_factory.mktemp("published"), PLANS)
    (root / D2 / "JP" / "notes.txt").write_text("not a report")
    return root


def _client(root: Path, manager: Any = None) -> TestClient:
    app = create_app(str(root), access=AuthManagerAccess(lambda: manager or FabLikeAuthManager()))
    app.dependency_overrides[airflow_user_dependency()] = _user_from_header
    return TestClient(app)


@pytest.fixture(scope="module")
def client(outputs: Path) -> TestClient:
    return _client(outputs)


def _as(name: str) -> dict[str, str]:
    return {"x-test-user": name}


JP_XLSX = f"/api/reports/JP/{D2}/compliance_JP_{D2}.xlsx"
JP_ZIP = f"/api/reports/JP/{D2}/evidence_JP_{D2}.zip"
ROUTES = ["/", "/api/reports", f"/api/reports/JP/{D2}", JP_XLSX, JP_ZIP]


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_gets_401_on_every_route(client: TestClient, route: str) -> None:
    response = client.get(route)
    assert response.status_code == 401
    assert "xlsx" not in response.headers.get("content-type", "")


@pytest.mark.parametrize("route", [f"/api/reports/JP/{D2}", JP_XLSX, JP_ZIP, "/api/reports?country=JP"])
def test_wrong_country_gets_403(client: TestClient, route: str) -> None:
    response = client.get(route, headers=_as("th_auditor"))
    assert response.status_code == 403
    assert response.json() == {"detail": "no access to country JP"}


def test_list_shows_only_the_users_countries(client: TestClient) -> None:
    th = client.get("/api/reports", headers=_as("th_auditor")).json()
    assert {r["country"] for r in th["reports"]} == {"TH"} and th["countries"] == ["TH"]
    jp = client.get("/api/reports", headers=_as("jp_auditor")).json()
    assert [(r["country"], r["date"]) for r in jp["reports"]] == [("JP", D2), ("JP", D1)]
    nobody = client.get("/api/reports", headers=_as("nobody")).json()
    assert nobody == {"reports": [], "countries": []}


def test_admin_sees_every_country_newest_first(client: TestClient) -> None:
    body = client.get("/api/reports", headers=_as("admin")).json()
    assert [(r["country"], r["date"]) for r in body["reports"]] == [("JP", D2), ("TH", D2), ("VN", D2), ("JP", D1)]
    assert body["countries"] == ["JP", "TH", "VN"]


def test_counts_days_open_and_badge_come_from_the_published_files(client: TestClient) -> None:
    body = client.get(f"/api/reports/JP/{D2}", headers=_as("jp_auditor")).json()
    assert body["fail_by_severity"] == {"critical": 2, "high": 1, "medium": 0, "low": 0, "info": 0}
    assert body["open_critical"] == 2 and body["max_days_open"] == 19
    assert body["verified"] is True and body["signer_fingerprint"].startswith("SHA256:")
    assert body["files"] == {"spreadsheet": JP_XLSX.lstrip("/"), "bundle": JP_ZIP.lstrip("/")}


def test_date_filters(client: TestClient) -> None:
    only_d1 = client.get(f"/api/reports?from={D1}&to={D1}", headers=_as("admin")).json()
    assert [(r["country"], r["date"]) for r in only_d1["reports"]] == [("JP", D1)]
    since_d2 = client.get(f"/api/reports?country=jp&from={D2}", headers=_as("jp_auditor")).json()
    assert [(r["country"], r["date"]) for r in since_d2["reports"]] == [("JP", D2)]


def test_right_country_downloads_the_exact_published_bytes(client: TestClient, outputs: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cloudaudit.portal.audit"):
        xlsx = client.get(JP_XLSX, headers=_as("jp_auditor"))
        bundle = client.get(JP_ZIP, headers=_as("admin"))
    assert xlsx.status_code == 200 and bundle.status_code == 200
    assert xlsx.content == (outputs / D2 / "JP" / f"compliance_JP_{D2}.xlsx").read_bytes()
    assert zipfile.is_zipfile(__import__("io").BytesIO(bundle.content))
    assert f'filename="compliance_JP_{D2}.xlsx"' in xlsx.headers["content-disposition"]
    lines = [r.getMessage() for r in caplog.records if r.name == "cloudaudit.portal.audit"]
    assert len(lines) == 2
    assert lines[0].startswith(f"download user=jp_auditor country=JP date={D2} file=compliance_JP_{D2}.xlsx at=")
    assert all("AllUsers" not in line and "bucket" not in line for line in lines)  # no report content


@pytest.mark.parametrize("route", [
    f"/api/reports/JP/{D2}/..%2F..%2F..%2Fetc%2Fpasswd",
    f"/api/reports/JP/{D2}/%2e%2e",
    f"/api/reports/JP/{D2}/compliance_TH_{D2}.xlsx",    # another country's file under JP
    f"/api/reports/JP/{D2}/notes.txt",                  # something else in the folder
    f"/api/reports/JP/..%2F{D2}/compliance_JP_{D2}.xlsx",
    f"/api/reports/..%2FJP/{D2}/compliance_JP_{D2}.xlsx",
    "/api/reports/../../etc/passwd",
    f"/api/reports/JP/{D2}/compliance_JP_{D2}.xlsx%00.txt",
])
def test_traversal_is_refused(client: TestClient, route: str) -> None:
    response = client.get(route, headers=_as("admin"))
    assert response.status_code in (400, 404), response.text
    assert response.headers["content-type"] == "application/json" and "detail" in response.json()


@pytest.mark.parametrize("route, message", [
    (f"/api/reports/XX/{D2}", "country 'XX' is not an ISO 3166-1 alpha-2 code"),
    ("/api/reports/JP/2026-13-01", "date must be a calendar date written YYYY-MM-DD"),
    ("/api/reports/JP/20261120", "date must be a calendar date written YYYY-MM-DD"),
    ("/api/reports?from=yesterday", "from must be a calendar date written YYYY-MM-DD"),
    (f"/api/reports?from={D2}&to={D1}", "from must not be after to"),
    ("/api/reports?country=Japan", "country 'value' is not an ISO 3166-1 alpha-2 code"),
])
def test_malformed_values_get_400_with_a_clear_message(client: TestClient, route: str, message: str) -> None:
    response = client.get(route, headers=_as("admin"))
    assert response.status_code == 400
    assert response.json() == {"detail": message}


@pytest.mark.parametrize("route", [f"/api/reports/JP/{D2}/" + "a" * 300, "/api/reports?country=" + "J" * 2000,
                                   "/api/reports?limit=100000"])
def test_oversized_parameters_get_4xx(client: TestClient, route: str) -> None:
    assert 400 <= client.get(route, headers=_as("admin")).status_code < 500


def test_unpublished_report_is_404_for_an_allowed_user(client: TestClient) -> None:
    assert client.get(f"/api/reports/TH/{D1}", headers=_as("th_auditor")).status_code == 404
    assert client.get(f"/api/reports/TH/{D1}/evidence_TH_{D1}.zip", headers=_as("th_auditor")).status_code == 404


def test_simple_auth_manager_cannot_grant_countries(outputs: Path) -> None:
    client = _client(outputs, SimpleAuthManager())
    assert client.get("/api/reports", headers=_as("admin")).json() == {"reports": [], "countries": []}
    assert client.get(JP_XLSX, headers=_as("admin")).status_code == 403


def test_page_lists_own_countries_with_badges_and_links(client: TestClient) -> None:
    page = client.get(f"/?from={D2}", headers=_as("jp_auditor"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'data-country="JP" data-date="{D2}"' in page.text and 'data-verified="true"' in page.text
    assert 'data-country="TH"' not in page.text and f'data-date="{D1}"' not in page.text
    assert f'href="api/reports/JP/{D2}/compliance_JP_{D2}.xlsx"' in page.text
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]


def test_page_escapes_what_it_echoes(client: TestClient) -> None:
    page = client.get("/?from=<script>alert(1)</script>", headers=_as("jp_auditor"))
    assert page.status_code == 400 and "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_tampered_bundle_shows_failed(outputs: Path, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    _, bundle = publish(tmp_path, Planned("JP", D2, 1, D2), key)
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bundle.write_bytes(bytes(data))
    body = _client(tmp_path).get(f"/api/reports/JP/{D2}", headers=_as("jp_auditor")).json()
    assert body["verified"] is False and body["verify_problems"]


def test_openapi_schema_lists_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {"/api/reports", "/api/reports/{country}/{date}",
                                    "/api/reports/{country}/{date}/{file}"}
    params = {p["name"] for p in schema["paths"]["/api/reports"]["get"]["parameters"]}
    assert {"country", "from", "to", "limit"} <= params
