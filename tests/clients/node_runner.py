"""Running the Node.js clients of ``tests/clients/node/`` (installed there by ``npm ci`` in scripts/test)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).resolve().parent / "node"

#: ``node(script, step, **args)``: runs one step of a driver script; its one JSON line, parsed.
NodeRunner = Callable[..., dict[str, Any]]


def node_modules_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (Debian's nodejs package)"
    if not (NODE_DIR / "node_modules" / ".package-lock.json").exists():
        return f"the Node clients are not installed: npm ci --prefix {NODE_DIR}"
    return None


def run_step(script: str, step: str, **args: Any) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(NODE_DIR / script), step, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=NODE_DIR,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer
