"""``adgate review …``: submit, status, queue, show and decide over HTTP, like the sandbox commands."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from adgate.cli import app
from adgate.testing.server import LiveServer

runner = CliRunner()


def run(server: LiveServer, *args: str) -> tuple[int, object]:
    result = runner.invoke(
        app, [*args, "--url", server.url, "--admin-key", server.admin_key], env={"COLUMNS": "200"}
    )
    return result.exit_code, json.loads(result.output)


def test_the_review_commands_submit_show_the_queue_and_decide(server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    made = httpx.post(f"{server.url}/_sandbox/apps", json={"name": "CLI app"}, headers=headers)
    app_id = made.json()["id"]

    code, submitted = run(server, "review", "submit", app_id, "ads_management_basic_access")
    assert code == 0 and isinstance(submitted, dict) and submitted["status"] == "submitted"
    code, status = run(server, "review", "status", app_id)
    assert code == 0 and isinstance(status, dict) and status["open"][0]["id"] == submitted["id"]
    code, queue = run(server, "review", "queue")
    assert code == 0 and isinstance(queue, dict) and [s["id"] for s in queue["data"]] == [submitted["id"]]
    code, shown = run(server, "review", "show", submitted["id"])
    assert code == 0 and isinstance(shown, dict) and shown["status"] == "in_review"
    code, decided = run(server, "review", "decide", submitted["id"], "deny", "--reason", "No ads yet, sorry.")
    assert code == 0 and isinstance(decided, dict) and decided["status"] == "denied"
    assert decided["reasons"][0] == "No ads yet, sorry."


def test_a_refused_submission_exits_non_zero_with_the_envelope(server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    app_id = httpx.post(f"{server.url}/_sandbox/apps", json={"name": "CLI app"}, headers=headers).json()["id"]
    code, body = run(server, "review", "submit", app_id, "ads_management_standard_access")
    assert code == 1 and isinstance(body, dict) and body["error"]["code"] == 100
