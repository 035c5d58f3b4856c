"""The sandbox's control API over HTTP, for the ``adgate`` command: options, the admin key, calls.

The admin key comes from ``--admin-key``, ``ADGATE_ADMIN_KEY`` or the data directory's secrets
file; answers are printed as JSON, refusals (their Graph envelope) on stderr with exit status 1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from adgate.settings import SECRETS_FILE

console = Console()
errors = Console(stderr=True)
DEFAULT_URL = "http://127.0.0.1:8765"

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Where data and secrets live (ADGATE_DATA_DIR).")
]

Url = Annotated[str, typer.Option("--url", envvar="ADGATE_URL", help="The server's base URL.")]
Key = Annotated[str | None, typer.Option("--admin-key", envvar="ADGATE_ADMIN_KEY", help="The admin key.")]


def _admin_key(key: str | None, data_dir: Path | None) -> str:
    if key:
        return key
    path = (data_dir or Path(os.environ.get("ADGATE_DATA_DIR", ".adgate"))) / SECRETS_FILE
    try:
        return str(json.loads(path.read_text())["admin_key"])
    except (OSError, ValueError, KeyError):
        errors.print(f"[red]no admin key:[/red] none in {path}; pass --admin-key or set ADGATE_ADMIN_KEY")
        raise typer.Exit(2) from None


def _request(
    url: str, key: str | None, data_dir: Path | None, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {_admin_key(key, data_dir)}"}
    try:
        response = httpx.request(method, url.rstrip("/") + path, json=body, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        errors.print(f"[red]cannot reach {url}:[/red] {exc}")
        raise typer.Exit(1) from None
    try:
        payload = response.json()
    except ValueError:
        payload = {"raw": response.text}
    return response.status_code, payload


def _call(url: str, key: str | None, data_dir: Path | None, method: str, path: str, body: Any = None) -> None:
    status, payload = _request(url, key, data_dir, method, path, body)
    console.print_json(data=payload)
    if status >= 400:
        raise typer.Exit(1)


def _fetch(url: str, key: str | None, data_dir: Path | None, method: str, path: str, body: Any = None) -> Any:
    """The answer's JSON; a refusal goes to stderr (its envelope) and exits 1."""
    status, payload = _request(url, key, data_dir, method, path, body)
    if status >= 400:
        errors.print_json(data=payload)
        raise typer.Exit(1)
    return payload


def _person_id(url: str, key: str | None, data_dir: Path | None, person: str) -> str:
    """A person named by id, or by e-mail (looked up in the sandbox)."""
    if "@" not in person:
        return person
    people = _fetch(url, key, data_dir, "GET", "/_sandbox/people")["data"]
    for candidate in people:
        if str(candidate.get("email", "")).lower() == person.strip().lower():
            return str(candidate["id"])
    errors.print(f"[red]no person with e-mail {person}[/red] (adgate sandbox world lists everyone)")
    raise typer.Exit(1)


def parse_duration(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    try:
        if text and text[-1] in units:
            return float(text[:-1]) * units[text[-1]]
        return float(text)
    except ValueError:
        raise typer.BadParameter(f"not a duration: {text!r} (use seconds or 90m, 36h, 60d)") from None
