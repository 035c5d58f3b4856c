"""The README's walkthrough, run as a newcomer would run it: every block, in order, as written.

From ``## Quick start`` to ``## Configuration``, then the whole of ``docs/using.md`` (the same
walkthrough, continued), every ``sh`` and ``python`` block runs against a
fresh ``adgate serve --demo`` on a free port, in a directory of its own that holds a ``.venv`` (this
test's virtual environment) and the server's ``.adgate`` data directory, exactly the layout
``scripts/demo`` leaves. Shell blocks run in bash with ``set -euo pipefail``; what they export is
there for the blocks after them, as in one terminal. ``ADGATE_URL`` is the one thing set beforehand,
to the server's address (the README's commands read it, and default to port 8765 without it).

An HTML comment right before a block says how to run it:

- ``<!-- readme-test: skip (why) -->``: not run (starting the demo server, the whole test suite);
- ``<!-- readme-test: file NAME -->``: saved as NAME for a later block to run (which must name it);
- ``<!-- readme-test: expect CODE/SUBCODE … -->``: its output must show these Graph errors;
- ``<!-- readme-test: browser (…) -->``: it prints a login-dialog URL with the e-mail and password to
  sign in with and waits for the address the browser ended on; the test signs in, consents and
  types that address.

Any other block must print no Graph error envelope and nothing on stderr.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from html_forms import forms

from adgate.testing.server import free_port

README = Path(__file__).resolve().parent.parent / "README.md"
FIRST, LAST = "## Quick start", "## Configuration"
USING = README.parent / "docs" / "using.md"
LANGUAGES = {"sh": "sh", "bash": "sh", "shell": "sh", "python": "python", "py": "python"}
MARKER = re.compile(r"<!--\s*readme-test:\s*(\w[\w-]*)\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
ENVELOPE = re.compile(r'"error"\s*:\s*\{')
BLOCK_SECONDS = 180


@dataclass
class Block:
    line: int
    source: str
    language: str
    code: str
    marker: str = ""
    argument: str = ""

    def where(self) -> str:
        return f"{self.source} line {self.line} ({self.language})"


def walkthrough() -> list[Block]:
    """The README's blocks from its quick start to its configuration, then those of docs/using.md."""
    readme = README.read_text()
    start = readme.index(f"\n{FIRST}\n")
    end = readme.index(f"\n{LAST}\n", start)
    return blocks_of(readme, "README.md", start, end) + blocks_of(USING.read_text(), "docs/using.md")


def blocks_of(text: str, source: str, start: int = 0, end: int | None = None) -> list[Block]:
    """The runnable blocks of ``text[start:end]``, each with the marker comment right before it."""
    end = len(text) if end is None else end
    blocks = []
    for fence in FENCE.finditer(text, start, end):
        language = LANGUAGES.get(fence.group(1).lower())
        if language is None:
            continue
        before = text[start : fence.start()].rstrip().rsplit("\n", 1)[-1]
        marker = MARKER.fullmatch(before.strip())
        blocks.append(
            Block(
                line=text.count("\n", 0, fence.start()) + 1,
                source=source,
                language=language,
                code=fence.group(2),
                marker=marker.group(1) if marker else "",
                argument=marker.group(2) if marker else "",
            )
        )
    return blocks


def test_the_walkthrough_is_found_and_every_marker_is_known() -> None:
    blocks = walkthrough()
    assert len(blocks) >= 10, "the quick start lost its blocks"
    assert {b.marker for b in blocks} <= {"", "skip", "file", "expect", "browser"}, [b.marker for b in blocks]
    files = [b.argument for b in blocks if b.marker == "file"]
    assert all(re.fullmatch(r"[\w.-]+\.py", name) for name in files), files
    shell = [b for b in blocks if b.language == "sh" and b.marker != "skip"]
    for name in files:
        assert any(name in b.code for b in shell), f"{name} is saved but no block runs it"
    for block in blocks:
        if block.language == "python":
            assert block.marker in ("file", "skip"), f"{block.where()}: say which file to save it as"


# --- running it -------------------------------------------------------------------------------
def clean_environment(url: str) -> dict[str, str]:
    """This machine's environment without adgate's and pytest's settings, plus the server's URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADGATE_", "PYTEST_", "COV_")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    return {**env, "ADGATE_URL": url, "PYTHONUNBUFFERED": "1"}


@contextmanager
def demo_server(workdir: Path, port: int) -> Iterator[str]:
    """``adgate serve --demo`` with the data directory ``.adgate`` of ``workdir``, as scripts/demo runs it."""
    url = f"http://127.0.0.1:{port}"
    env = {**clean_environment(url), "ADGATE_PASSWORD_HASHING": "fast"}
    process = subprocess.Popen(
        [sys.executable, "-m", "adgate", "serve", "--demo", "--port", str(port)],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    printed: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line)
            if line.startswith("Shell variables"):
                break
        else:
            raise AssertionError("the demo server stopped:\n" + "".join(printed))
        threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
        for _ in range(200):
            try:
                if httpx.get(f"{url}/_health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class Terminal:
    """One shell session's exported variables, carried from block to block."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.state = workdir / ".readme-env"

    def script(self, code: str) -> str:
        return f"set -euo pipefail\n{code}\nenv -0 > {self.state}\n"

    def absorb(self) -> None:
        raw = self.state.read_bytes()
        self.env = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)

    def run(self, block: Block) -> tuple[str, str]:
        result = subprocess.run(
            ["bash", "-c", self.script(block.code)],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=BLOCK_SECONDS,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert result.returncode == 0, f"{block.where()} failed:\n{result.stdout}\n{result.stderr}"
        self.absorb()
        return result.stdout, result.stderr

    def run_with_browser(self, block: Block) -> tuple[str, str]:
        process = subprocess.Popen(
            ["bash", "-c", self.script(block.code)],
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdin is not None and process.stdout is not None
        seen: list[str] = []
        try:
            for line in process.stdout:
                seen.append(line)
                if "/dialog/oauth?" in line:
                    credentials = re.search(r"(\S+@\S+) / (\S+)", "".join(seen))
                    assert credentials, f"{block.where()} names nobody to sign in as:\n{''.join(seen)}"
                    process.stdin.write(browse(line.strip(), *credentials.groups()) + "\n")
                    process.stdin.flush()
                    break
            out, err = process.communicate(timeout=BLOCK_SECONDS)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 0, f"{block.where()} failed:\n{''.join(seen)}{out}\n{err}"
        self.absorb()
        return "".join(seen) + out, err


def browse(dialog_url: str, email: str, password: str) -> str:
    """What a person does in a browser: open the dialog, sign in, allow; the address it ends on."""
    with httpx.Client(timeout=30) as browser:
        page = browser.get(dialog_url)
        for _ in range(3):
            if page.is_redirect:
                return str(page.headers["location"])
            found = forms(page.text)
            if "login-form" in found:
                form = found["login-form"]
                data = form.data(email=email, password=password)
            elif "consent-form" in found:
                form = found["consent-form"]
                data = form.data(button=("decision", "allow"))
            else:
                raise AssertionError(f"neither a login nor a consent page:\n{page.text[:1000]}")
            page = browser.post(urljoin(str(page.url), form.action), data=dict(data))
        raise AssertionError(f"the dialog did not redirect:\n{page.text[:1000]}")


def expected_errors(argument: str) -> list[tuple[int, int]]:
    pairs = re.findall(r"(\d+)/(\d+)", argument)
    assert pairs, f"expect needs CODE/SUBCODE pairs, got {argument!r}"
    return [(int(code), int(sub)) for code, sub in pairs]


@pytest.mark.timeout(900)
def test_every_block_of_the_quick_start_runs_as_written_against_a_fresh_demo(tmp_path: Path) -> None:
    assert sys.prefix != sys.base_prefix, (
        "run the tests from a virtual environment (scripts/setup makes .venv)"
    )
    venv = Path(sys.prefix)
    for tool in ("python", "adgate", "adgate-client", "pytest"):
        assert (venv / "bin" / tool).exists(), f"{tool} is not installed in {venv}"
    (tmp_path / ".venv").symlink_to(venv, target_is_directory=True)
    blocks = walkthrough()
    with demo_server(tmp_path, free_port()) as url:
        terminal = Terminal(tmp_path, clean_environment(url))
        ran = 0
        for block in blocks:
            if block.marker == "skip":
                continue
            if block.marker == "file":
                (tmp_path / block.argument).write_text(block.code)
                continue
            assert block.language == "sh", block.where()
            out, err = terminal.run_with_browser(block) if block.marker == "browser" else terminal.run(block)
            ran += 1
            if block.marker == "expect":
                for code, subcode in expected_errors(block.argument):
                    shown = re.search(
                        rf'"code"\s*:\s*{code}\b.*?"error_subcode"\s*:\s*{subcode}\b', out, re.S
                    )
                    assert shown, f"{block.where()} should show error {code}/{subcode}:\n{out}"
            else:
                assert not ENVELOPE.search(out), f"{block.where()} shows an error:\n{out}"
            assert err == "", f"{block.where()} wrote to stderr:\n{err}"
        assert ran >= 8
        # What the blocks left behind is what they promise: a Standard app, a stored token.
        key = terminal.env["ADMIN_KEY"]
        apps = httpx.get(f"{url}/_sandbox/apps", headers={"Authorization": f"Bearer {key}"}).json()["data"]
        assert {a["id"]: a["access_level"] for a in apps}[terminal.env["APP_ID"]] == "standard"
        assert (tmp_path / "app.db").exists()
