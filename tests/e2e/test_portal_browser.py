"""An auditor in the Airflow UI: log in, open Browse → Compliance reports, filter by date,
download a spreadsheet, and see only their own country (headless Debian chromium + Playwright).

A screenshot of the page goes to docs/img/portal.png for the README.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cloudaudit.portal.published import Planned, publish_all
from tests.e2e.airflow_stack import postgres_unavailable_reason
from tests.e2e.portal_stack import REPO, PortalStack, portal_stack

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
D1, D2 = "2026-11-19", "2026-11-20"
SCREENSHOT = REPO / "docs" / "img" / "portal.png"


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Debian's chromium is not installed (`make browser` or .ci/run installs it)"
    return postgres_unavailable_reason()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PortalStack, Path]]:
    reason = _unavailable()
    if reason:  # under CI=true a skip is a failure (tests/conftest.py)
        pytest.skip(reason)
    output = publish_all(tmp_path_factory.mktemp("browser-output"),
                         (Planned("JP", D1, 1, "2026-11-01"), Planned("JP", D2, 2, "2026-11-01"), Planned("TH", D2, 1, D2)))
    with portal_stack(tmp_path_factory.mktemp("browser-stack"), output) as stack:
        yield stack, output


def test_auditor_filters_downloads_and_sees_only_own_country(portal: tuple[PortalStack, Path],
                                                             tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    stack, output = portal
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
            page.goto(f"{stack.url}/")
            page.fill("input[name=username]", "jp_auditor")
            page.fill("input[name=password]", stack.passwords["jp_auditor"])
            page.click("input[type=submit], button[type=submit]")
            page.get_by_role("button", name="Browse").click()
            page.get_by_role("menuitem", name="Compliance reports").click()

            reports = page.frame_locator("iframe").first
            rows = reports.locator("#reports tbody tr")
            rows.first.wait_for()
            assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.country + ' ' + r.dataset.date)")) == \
                [f"JP {D1}", f"JP {D2}"]
            assert reports.locator("select[name=country] option").all_inner_texts() == ["all", "JP"]

            reports.locator("input[name=from]").fill(D2)
            reports.locator("input[name=to]").fill(D2)
            reports.get_by_role("button", name="Filter").click()
            # The page reloads in the frame: wait until the other date's row is gone, not for a row already there.
            reports.locator(f'#reports tr[data-date="{D1}"]').wait_for(state="detached")
            reports.locator(f'#reports tr[data-date="{D2}"]').wait_for()
            assert rows.evaluate_all("rs => rs.map(r => r.dataset.country + ' ' + r.dataset.date)") == [f"JP {D2}"]
            assert reports.locator('[data-verified="true"]').count() == 1

            with page.expect_download() as info:
                reports.get_by_role("link", name="spreadsheet").click()
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            assert saved.name == f"compliance_JP_{D2}.xlsx"
            assert saved.read_bytes() == (output / D2 / "JP" / saved.name).read_bytes()

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            assert "TH" not in reports.locator("#reports").inner_text()
        finally:
            browser.close()
