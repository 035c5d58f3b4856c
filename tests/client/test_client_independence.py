"""``adgate.client`` depends on nothing in the server package (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import adgate.client

PACKAGE = Path(adgate.client.__file__).parent


def test_the_client_imports_nothing_from_the_server() -> None:
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] if node.level == 0 else []
                if node.level:
                    offenders.append(f"{path.name}: relative import")
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] == "adgate" and not name.startswith("adgate.client")
            ]
    assert offenders == []


def test_only_the_clock_module_reads_the_time() -> None:
    readers = [
        path.name
        for path in PACKAGE.glob("*.py")
        if "clock" not in path.name
        and ("time.time()" in path.read_text() or "datetime.now(" in path.read_text())
    ]
    assert readers == []
