"""`adgate serve --demo` from a fresh data dir, as the README tells people to run it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from terminal import in_terminal

from adgate.testing.server import free_port

ADGATE = [sys.executable, "-m", "adgate"]


def server_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ADGATE_PASSWORD_HASHING": "fast"}
    env.pop("ADGATE_ADMIN_KEY", None)
    return env


@contextmanager
def serving(data_dir: Path, port: int, *, demo: bool = True) -> Iterator[tuple[str, list[str]]]:
    """The server's printed lines up to the end of its summary (``Shell variables``, or ``Admin key``)."""
    env = server_env()
    last = "Shell variables" if demo else "Admin key"
    process = subprocess.Popen(
        [*ADGATE, "serve", *(["--demo"] if demo else []), "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith(last):
                break
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/_health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        # Keep draining the pipe so the server never blocks on a full one.
        drain = threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True)
        drain.start()
        yield url, lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def printed(lines: list[str], label: str) -> str:
    for line in lines:
        if line.startswith(label):
            return line[len(label) :].strip()
    raise AssertionError(f"{label!r} not printed in:\n{''.join(lines)}")


def test_serve_demo_prints_what_a_developer_needs_and_curl_reaches_the_world(tmp_path: Path) -> None:
    with serving(tmp_path, free_port()) as (url, lines):
        admin_key = printed(lines, "Admin key").split()[0]
        app_line = printed(lines, "Demo app")
        app_id = re.search(r"id (\d+)", app_line)
        assert app_id is not None
        secret = printed(lines, "App secret")
        assert re.fullmatch(r"[0-9a-f]{32}", secret)
        assert "act_" in printed(lines, "Ad accounts")
        assert "alice@demo.adgate.test" in "".join(lines)
        world = httpx.get(f"{url}/_sandbox/world", headers={"Authorization": f"Bearer {admin_key}"}).json()
        assert app_id.group(1) in {a["id"] for a in world["apps"]}
        assert "access_token" not in "".join(lines).lower()
        # Piped: plain lines, every e-mail whole on the line of its password.
        assert not any(ch in "".join(lines) for ch in "│─└┏\x1b")
        for email, password in (("alice@demo.adgate.test", "alice-demo-password"), ("rita", "rita-demo")):
            assert any(email in line and password in line for line in lines), lines
        assert str((tmp_path / "secrets.json").resolve()) in "".join(lines)
    # A restart on the same data dir keeps the world, the admin key and the app secret.
    with serving(tmp_path, free_port()) as (url, lines_again):
        assert printed(lines_again, "Admin key").split()[0] == admin_key
        assert printed(lines_again, "App secret") == secret
        again = httpx.get(f"{url}/_sandbox/world", headers={"Authorization": f"Bearer {admin_key}"}).json()
        assert [p["id"] for p in again["people"]] == [p["id"] for p in world["people"]]


def test_migrate_brings_a_fresh_database_to_head(tmp_path: Path) -> None:
    result = subprocess.run(
        [*ADGATE, "migrate", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout


def test_the_demo_summary_keeps_whole_e_mails_on_a_narrow_terminal(tmp_path: Path) -> None:
    port = free_port()
    command = [*ADGATE, "serve", "--demo", "--port", str(port), "--data-dir", str(tmp_path)]
    shown = in_terminal(command, columns=40, env=server_env(), until="Shell variables")
    for email in ("alice@demo.adgate.test", "bob@demo.adgate.test", "carol@demo.adgate.test", "rita@demo"):
        assert email in shown, shown
    assert "…" not in shown


def test_serve_without_the_demo_says_where_the_admin_key_is_kept(tmp_path: Path) -> None:
    with serving(tmp_path, free_port(), demo=False) as (url, lines):
        where = printed(lines, "Admin key")
        secrets = json.loads((tmp_path / "secrets.json").read_text())
        assert str((tmp_path / "secrets.json").resolve()) in where
        assert secrets["admin_key"] not in "".join(lines)
        assert httpx.get(f"{url}/_health").status_code == 200


def test_serve_runs_asyncio_s_loop_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from adgate.cli import app

    loops: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **kwargs: loops.append(kwargs["loop"]))
    monkeypatch.delenv("ADGATE_LOOP", raising=False)
    runner = CliRunner()
    data_dir = ["--data-dir", str(tmp_path)]
    assert runner.invoke(app, ["serve", *data_dir]).exit_code == 0
    assert runner.invoke(app, ["serve", "--loop", "uvloop", *data_dir]).exit_code == 0
    assert runner.invoke(app, ["serve", *data_dir], env={"ADGATE_LOOP": "uvloop"}).exit_code == 0
    refused = runner.invoke(app, ["serve", "--loop", "twisted", *data_dir])
    assert refused.exit_code == 2
    assert "twisted" in refused.output
    assert loops == ["asyncio", "uvloop", "uvloop"]


def test_serve_on_uvloop_answers(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*ADGATE, "serve", "--loop", "uvloop", "--port", str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=server_env(),
    )
    try:
        for _ in range(400):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/_health").status_code == 200
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError("no answer from a server on uvloop")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
