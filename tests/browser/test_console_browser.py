"""A real Chromium walks the consoles as a person would (issue 7): sign in, create an app, register
the explorer's redirect URI, get a token through the explorer and the real login dialog, debug it,
extend it, fill the account list to its maximum (Add disabled), submit for Basic, approve as a
reviewer, and see the level change. Screenshots of each page go to
``test-artifacts/screenshots/console-*.png`` (at phone width: the pages must work there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_env import ARGS, SCREENSHOTS
from live_world import PASSWORD, sandbox

from adgate.testing.server import LiveServer

pytestmark = pytest.mark.browser


def test_a_developer_walks_the_consoles(server: LiveServer, chromium: Path) -> None:
    from playwright.sync_api import Page, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ada = sandbox(server, "people", {"name": "Ada Admin", "email": "ada@example.com", "password": PASSWORD})
    sandbox(
        server,
        "people",
        {"name": "Rita Reviewer", "email": "rita@example.com", "password": PASSWORD, "is_reviewer": True},
    )
    accounts = [sandbox(server, "ad_accounts", {"name": f"Client {i}"})["id"] for i in range(6)]
    shop = sandbox(server, "pages", {"name": "Ada's Shop"})
    sandbox(
        server, "roles", {"kind": "page", "object_id": shop["id"], "person_id": ada["id"], "role": "admin"}
    )

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"console-{name}.png", full_page=True)

    def sign_in(page: Page, email: str) -> None:
        page.goto(f"{server.url}/console/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_selector("#sign-out")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            page.goto(f"{server.url}/console/login")
            shot(page, "01-sign-in")
            sign_in(page, "ada@example.com")
            assert "no role on any app" in page.inner_text("main")

            # Create an app: its id is shown, its secret only after the password.
            page.fill("#name", "Ads Helper")
            page.click("#create-app")
            page.wait_for_selector("#created")
            app_id = page.inner_text("#app-id").strip()
            assert page.locator("#app-secret").count() == 0
            page.fill("#reveal-password", PASSWORD)
            page.click("#reveal")
            assert len(page.inner_text("#app-secret").strip()) == 32
            shot(page, "02-app-dashboard")

            # Settings: the trailing-slash rule, then the explorer's redirect URI.
            page.click("text=Settings")
            page.fill("#site_url", "https://www.example.com")
            page.click("#save-settings")
            assert "add a trailing /" in page.inner_text("#error")
            page.fill("#site_url", "https://www.example.com/")
            page.click("#save-settings")
            page.wait_for_selector("#notice")
            page.click("#add-explorer-uri")
            page.wait_for_selector("#notice")
            assert page.locator("#add-explorer-uri").count() == 0
            shot(page, "03-settings")

            # The explorer: a short-lived token through the real login dialog.
            page.goto(f"{server.url}/console/tools/explorer")
            page.select_option("#app_id", app_id)
            page.check("#scope-ads_read")
            page.check("#scope-manage_pages")
            page.click("#get-user-token")
            page.wait_for_selector("#consent-form")
            shot(page, "04-dialog-consent")
            page.click("#allow")
            page.wait_for_selector("#run-form")
            assert "short-lived user token" in page.inner_text("#notice")
            user_token = page.input_value("#access_token")
            assert user_token
            page.click("#run")
            page.wait_for_selector("#result-json")
            assert "Ada Admin" in page.inner_text("#result-json")
            assert "x-app-usage" in page.inner_text("#usage-headers")
            shot(page, "05-explorer")

            # A page token, then back to the user token in the debugger.
            page.click("#get-page-token")
            page.wait_for_selector("#notice")
            assert "page token" in page.inner_text("#notice")
            page.click("#open-debugger")
            page.wait_for_selector("#token-info")
            assert "Profile ID (Page)" in page.inner_text("#token-info")
            shot(page, "06-debugger-page-token")
            page.fill("#input_token", user_token)
            page.click("#debug")
            page.wait_for_selector("#token-info")
            info = page.inner_text("#token-info")
            assert app_id in info and ada["id"] in info and "ads_read" in info and " hour" in info
            shot(page, "06-debugger-user-token")
            page.click("#extend")
            page.wait_for_selector("#extended-token")
            assert "in 59 days" in page.inner_text("#token-info") or "in 60 days" in page.inner_text(
                "#token-info"
            )
            shot(page, "07-debugger-extended")

            # The account configuration tool: act_ refused, up to the maximum, Add disabled.
            page.goto(f"{server.url}/console/apps/{app_id}/settings/advanced")
            page.fill("#account_id", f"act_{accounts[0]}")
            page.click("#add-account")
            assert "without act_" in page.inner_text("#error")
            for account in accounts[:5]:
                page.fill("#account_id", account)
                page.click("#add-account")
                page.wait_for_selector("#notice")
            assert page.is_disabled("#add-account")
            shot(page, "08-account-list-full")
            page.click(f"#remove-{accounts[0]}")
            page.wait_for_selector("#notice")
            assert page.is_enabled("#add-account")

            # Status & Review: submit for Basic.
            page.goto(f"{server.url}/console/apps/{app_id}/review")
            assert "Development" in page.inner_text("#current-level")
            page.click("#submit-review")
            page.wait_for_selector("#pending")
            shot(page, "09-status-and-review")
            page.click("#sign-out")

            # The reviewer approves.
            sign_in(page, "rita@example.com")
            page.goto(f"{server.url}/console/review")
            shot(page, "10-review-queue")
            page.click("#queue a")
            page.fill("#reason", "Clear login flow; fine for Basic.")
            shot(page, "11-submission")
            page.click("#approve")
            page.wait_for_selector("#notice")
            assert "approved" in page.inner_text("#submission-status")
            page.click("#sign-out")

            # The developer sees the level change.
            sign_in(page, "ada@example.com")
            page.goto(f"{server.url}/console/apps/{app_id}/review")
            assert "Basic" in page.inner_text("#current-level")
            shot(page, "12-status-basic")

            # The sandbox console, behind the admin key.
            page.goto(f"{server.url}/console/sandbox")
            page.fill("#admin_key", server.admin_key)
            page.click("#unlock")
            page.wait_for_selector("#people")
            assert "rita@example.com" in page.inner_text("#people")
            shot(page, "13-sandbox")
            context.close()
        finally:
            browser.close()
