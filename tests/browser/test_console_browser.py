"""A real Chromium walks the consoles as a person would: sign in, create an app, register
the explorer's redirect URI, get a token through the explorer and the real login dialog, debug it,
extend it, fill the account list to its maximum (Add disabled), submit for Basic, approve as a
reviewer, and see the level change. Screenshots of each page go to
``test-artifacts/screenshots/console-*-{desktop,phone}.png``: the walk is made at phone width (the
pages must work there), and each page is shot at desktop width too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_env import ARGS, SCREENSHOTS
from live_world import PASSWORD, sandbox

from adgate.testing.server import LiveServer

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


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
        """The page at desktop width, then at phone width (where the walk goes on)."""
        for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=SCREENSHOTS / f"console-{name}-{width}.png", full_page=True)

    def sign_in(page: Page, email: str) -> None:
        page.goto(f"{server.url}/console/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_selector("#sign-out")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            context = browser.new_context(viewport=PHONE)
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
            assert "count nowhere" in page.inner_text("#traffic-note")
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

            # Status & Review: one call so far, the Submit in the explorer; the explorer's own calls
            # (the Page list on every render, Get Page Token) are not the app's traffic.
            page.goto(f"{server.url}/console/apps/{app_id}/review")
            assert "Development" in page.inner_text("#current-level")
            assert page.inner_text("#window-figures") == "1 call, 0 errors"
            assert "The app made 1 API call in the last 30 days" in page.inner_text("#criteria")
            limits = page.inner_text("#limits")
            assert "1 system user and 1 admin system user" in limits and "system users and" in limits
            # At phone width the Limits table reflows: the Standard column is on screen, labelled.
            standard = page.locator('#limits td[data-label="Standard"]').first
            box = standard.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            assert "Standard: " in standard.evaluate("td => getComputedStyle(td, '::before').content")
            # The calls chart scales to the data (one call), says the 1000 mark is above its scale,
            # and labels days across the window, not just its ends.
            y_labels = page.locator("#calls-chart .y-label").all_text_contents()
            assert y_labels[0] == "0" and int(y_labels[-1]) < 10, y_labels
            assert "1000 calls" in (page.text_content("#calls-chart .mark-above") or "")
            assert page.locator("#calls-chart .x-label").count() >= 4
            assert page.locator("#errors-chart .mark-line").count() == 1
            page.click("#submit-review")
            page.wait_for_selector("#pending")
            assert "(in " in page.inner_text("#history")  # open: due in about 3 business days
            shot(page, "09-status-and-review")
            page.click("#sign-out")

            # The reviewer approves: the queue lists the app by name, the submission gives the
            # reasons of the criteria not met.
            sign_in(page, "rita@example.com")
            page.goto(f"{server.url}/console/review")
            assert page.inner_text("#queue .app-name").strip() == "Ads Helper"
            assert app_id not in page.inner_text("#queue")
            shot(page, "10-review-queue")
            page.click("#queue a")
            assert "Ads Helper" in page.inner_text("#submission-app")
            reasons = page.locator(".criteria .reason").all_inner_texts()
            assert any("The app made 1 API call in the last 30 days" in x for x in reasons), reasons
            assert page.locator("#due").count() == 1
            page.fill("#reason", "Clear login flow; fine for Basic.")
            shot(page, "11-submission")
            page.click("#approve")
            page.wait_for_selector("#notice")
            assert "approved" in page.inner_text("#submission-status")
            assert page.locator("#due").count() == 0  # decided: no longer due
            shot(page, "11-submission-approved")
            page.click("#sign-out")

            # The developer sees the level change.
            sign_in(page, "ada@example.com")
            page.goto(f"{server.url}/console/apps/{app_id}/review")
            assert "Basic" in page.inner_text("#current-level")
            history = page.inner_text("#history")
            assert "approved" in history and "(in " not in history, history
            shot(page, "12-status-basic")

            # The sandbox console, behind the admin key.
            page.goto(f"{server.url}/console/sandbox")
            page.fill("#admin_key", server.admin_key)
            page.click("#unlock")
            page.wait_for_selector("#people")
            assert "rita@example.com" in page.inner_text("#people")
            # Every create form has its heading: no two "Person's e-mail" fields without context.
            for form_id, title in (
                ("person-form", "New person"),
                ("role-form", "Give a person a role"),
                ("password-form", "Change a person's password"),
                ("logout-form", "Log a person out everywhere"),
            ):
                assert page.inner_text(f"#{form_id} h3") == title
            assert page.locator("form.sub").count() == page.locator("form.sub h3").count() == 10
            shot(page, "13-sandbox")
            context.close()
        finally:
            browser.close()
