"""A real Chromium, through Playwright, logs in to the dialog, declines one permission, lands on the
redirect URI with a code, and ``auth_type=rerequest`` asks for the declined one again.

Screenshots of every page go to ``test-artifacts/screenshots/`` (at phone width: the dialog's
layout must work there)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from html_forms import query_of
from live_world import make_world

from adgate.testing.server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: the project's setup installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


def test_decline_one_permission_then_rerequest_asks_for_it_again(server: LiveServer, chromium: Path) -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    callback = f"{server.url}/_test/callback"
    world = make_world(server, callback)
    base = {
        "client_id": world.app_id,
        "redirect_uri": callback,
        "scope": "ads_management,ads_read",
        "state": "browser-state",
    }
    dialog = f"{server.url}/v26.0/dialog/oauth?"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()

            page.goto(dialog + urlencode(base))
            assert "Ads Helper" in page.inner_text("main")
            page.screenshot(path=SCREENSHOTS / "dialog-1-login.png", full_page=True)
            page.fill("#email", world.email)
            page.fill("#password", world.password)
            page.click("#login")

            page.wait_for_selector("#consent-form")
            assert page.is_checked("#perm-ads_management")
            assert page.is_checked("#perm-ads_read")
            page.uncheck("#perm-ads_management")  # decline one permission
            page.screenshot(path=SCREENSHOTS / "dialog-2-consent-declining.png", full_page=True)
            with page.expect_navigation(url=lambda url: url.startswith(callback)):
                page.click("#allow")
            landed = query_of(page.url)
            assert landed["state"] == "browser-state"
            assert landed["code"]
            page.screenshot(path=SCREENSHOTS / "dialog-3-redirected.png", full_page=True)

            # Without rerequest, the declined permission is not asked again: nothing new to ask.
            page.goto(dialog + urlencode(base))
            page.wait_for_selector("#consent-form")
            assert page.locator("input[name=grant]").count() == 0
            assert "Continue as Ada Admin" in page.inner_text("main")
            page.screenshot(path=SCREENSHOTS / "dialog-4-continue.png", full_page=True)

            # With rerequest, it is asked again, and only it (ads_read was granted).
            page.goto(dialog + urlencode({**base, "auth_type": "rerequest"}))
            page.wait_for_selector("#consent-form")
            offered = page.locator("input[name=grant]")
            assert offered.count() == 1
            assert offered.get_attribute("value") == "ads_management"
            page.screenshot(path=SCREENSHOTS / "dialog-5-rerequest.png", full_page=True)
            with page.expect_navigation(url=lambda url: url.startswith(callback)):
                page.click("#allow")
            assert query_of(page.url)["code"]
            context.close()
        finally:
            browser.close()
