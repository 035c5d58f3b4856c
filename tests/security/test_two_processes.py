"""Two real ``adgate serve`` processes on one database: one clock, one login throttle, one session store.

The same attacks as the in-process two-node tests, against two operating-system processes that share
nothing but the database and the keys (a SQLite file, or PostgreSQL): a clock moved on one is
followed by the other within the follow window, guesses made at one lock the sign-in at the other,
and a log-out at one ends a copied cookie at the other.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from html_forms import forms
from served import ADMIN_KEY, serve

from adgate.policy.tokens import SHORT_LIVED_USER_SECONDS
from adgate.services.registry import CLOCK_FOLLOW_SECONDS

PASSWORD = "correct horse battery"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def submit(client: httpx.Client, page: httpx.Response, form_id: str, **values: str) -> httpx.Response:
    form = forms(page.text)[form_id]
    sent = form.data(**values)  # type: ignore[arg-type]  # values: fields only
    return client.post(form.action, content=urlencode(sent), headers=FORM)


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return submit(client, client.get("/console/login"), "login-form", email=email, password=password)


def test_two_processes_share_the_clock_the_throttle_and_the_sessions(
    tmp_path: Path, database_url: str
) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with (
        serve(tmp_path / "one", database_url) as (one, _p1),
        serve(tmp_path / "two", database_url) as (two, _p2),
        httpx.Client(base_url=one, headers=admin, timeout=10) as control_one,
        httpx.Client(base_url=two, headers=admin, timeout=10) as control_two,
    ):
        assert control_one.post("/_sandbox/reset").status_code == 200

        def make(path: str, body: dict[str, object]) -> dict[str, str]:
            response = control_one.post(path, json=body)
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

        ada = make("/_sandbox/people", {"name": "Ada", "email": "ada@example.com", "password": PASSWORD})
        make("/_sandbox/people", {"name": "Sam", "email": "sam@example.com", "password": PASSWORD})
        app = make("/_sandbox/apps", {"name": "Two", "admin_id": ada["id"]})
        token = make("/_sandbox/tokens", {"app_id": app["id"], "person_id": ada["id"], "long_lived": False})

        # The clock: moved on one, followed by two within the window.
        target = control_one.post("/_sandbox/clock", json={"advance": SHORT_LIVED_USER_SECONDS + 60}).json()
        deadline = time.monotonic() + 5 * CLOCK_FOLLOW_SECONDS + 2
        while abs(control_two.get("/_sandbox/clock").json()["offset"] - target["offset"]) > 1:
            assert time.monotonic() < deadline, "the second process never followed the clock"
            time.sleep(0.05)
        for base in (one, two):
            error = httpx.get(f"{base}/v26.0/me", params={"access_token": token["access_token"]}).json()[
                "error"
            ]
            assert (error["code"], error["error_subcode"]) == (190, 463)

        # The throttle: five wrong passwords at one lock the right one out at two.
        with httpx.Client(base_url=one) as guesser, httpx.Client(base_url=two) as owner:
            for _ in range(5):
                assert sign_in(guesser, "sam@example.com", "wrong password").status_code == 400
            assert sign_in(owner, "sam@example.com").status_code == 429

        # The session: signed in at one, a copied cookie works at two until the log-out at one.
        with httpx.Client(base_url=one) as browser:
            assert sign_in(browser, "ada@example.com").status_code == 303
            with httpx.Client(base_url=two, cookies=browser.cookies) as thief:
                assert thief.get("/console/apps").status_code == 200
                apps = browser.get("/console/apps")
                csrf = forms(apps.text)
                token_field = next(
                    value for form in csrf.values() for name, value in form.fields if name == "fb_dtsg"
                )
                out = browser.post(
                    "/console/logout", content=urlencode({"fb_dtsg": token_field}), headers=FORM
                )
                assert out.status_code == 303
                assert thief.get("/console/apps").status_code == 303
