"""The layers of CONTRIBUTING.md's "Where things live", checked over the source with ``ast``.

``web → services → (policy, protocol, store)``: each rule below says which of adgate's own modules a
folder may import (third-party packages are not this test's business). Every import counts for the
layers, the ones under ``if TYPE_CHECKING:`` and inside functions too: a type is a dependency.
What breaks a rule today is listed by name, (importer, imported), with the reason; the test fails
when a listed exception no longer happens, so the list only shrinks.

Cycles are checked on the imports that run when a module is loaded (top level, outside
``if TYPE_CHECKING:``): a cycle there makes the import order matter.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "adgate"


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    #: Runs when the importer is loaded: top level, not under ``if TYPE_CHECKING:``.
    at_load: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        if not is_package:
            parts.pop()
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    for alias in node.names:
        # ``from adgate import ids`` imports the module adgate.ids; ``from adgate.ids import x`` adgate.ids.
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _walk(module: str, is_package: bool, body: list[ast.stmt], at_load: bool) -> Iterator[Import]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from (Import(module, t, at_load) for t in _targets(module, is_package, node))
        elif isinstance(node, ast.If):
            yield from _walk(module, is_package, node.body, at_load and not _is_type_checking(node))
            yield from _walk(module, is_package, node.orelse, at_load)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield from (Import(module, t, False) for t in _targets(module, is_package, inner))
        else:  # class bodies, try/except, with, loops: run at load time like the top level
            children: list[ast.stmt] = []
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    children.append(child)
                elif isinstance(child, ast.ExceptHandler | ast.match_case):
                    children.extend(child.body)
            yield from _walk(module, is_package, children, at_load)


@cache
def imports() -> list[Import]:
    found: set[Import] = set()
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        found.update(_walk(module, path.name == "__init__.py", tree.body, True))
    return sorted(found, key=lambda i: (i.importer, i.imported, i.at_load))


def own(name: str) -> str | None:
    """The adgate module ``name`` is (or lies in), or None for the standard library and third parties."""
    if name != "adgate" and not name.startswith("adgate."):
        return None
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def within(module: str, *areas: str) -> bool:
    return any(module == f"adgate.{a}" or module.startswith(f"adgate.{a}.") for a in areas)


def pairs(area: str) -> set[tuple[str, str]]:
    """(importer, imported adgate module) for every import in ``adgate/<area>``, outside the area."""
    out = set()
    for i in imports():
        target = own(i.imported)
        if within(i.importer, area) and target is not None and not within(target, area):
            out.add((i.importer, target))
    return out


def breaches(area: str, allowed: tuple[str, ...], known: dict[tuple[str, str], str]) -> list[str]:
    found = {p for p in pairs(area) if not within(p[1], *allowed)}
    new = sorted(f"{a} imports {b}" for a, b in found - set(known))
    gone = sorted(f"{a} no longer imports {b}: remove it from the list" for a, b in set(known) - found)
    return new + gone


#: Modules of plain data and words that the pure layers share (records, the ad objects' literals,
#: plural words, id shapes) and the clock: they import only the standard library themselves.
LEAVES = ("records", "ad_objects", "words", "ids", "clock")


def test_the_shared_leaves_import_only_the_standard_library() -> None:
    for leaf in LEAVES:
        third = [
            i.imported
            for i in imports()
            if i.importer == f"adgate.{leaf}"
            and i.imported.split(".")[0] not in sys.stdlib_module_names | {"__future__"}
        ]
        assert third == [], f"adgate/{leaf}.py must stay a leaf"


#: adgate/policy imports the standard library only; these shared data modules are the exceptions.
POLICY_EXCEPTIONS = {
    ("adgate.policy.ad_review", "adgate.ad_objects"): "ReviewVerdict, the literal a review decides",
    ("adgate.policy.consent", "adgate.records"): "GrantStatus, the literal a grant's status is",
    ("adgate.policy.validity", "adgate.records"): "the records a token's validity is decided on",
    ("adgate.policy.review", "adgate.words"): "counted(), the plural in a criterion's reason",
}


def test_policy_imports_only_the_standard_library() -> None:
    assert breaches("policy", (), POLICY_EXCEPTIONS) == []


PROTOCOL_EXCEPTIONS = {
    ("adgate.protocol.dialog", "adgate.ids"): "is_numeric_id, the shape of a client_id",
}


def test_protocol_imports_only_the_standard_library_and_policy() -> None:
    assert breaches("protocol", ("policy",), PROTOCOL_EXCEPTIONS) == []


STORE_EXCEPTIONS = {
    ("adgate.store.marketing", "adgate.ad_objects"): "the ad objects' records the store keeps",
    ("adgate.store.sql.marketing", "adgate.ad_objects"): "the ad objects' records the store keeps",
    ("adgate.store.files", "adgate.settings"): "the database URL and data folder it opens",
}


def test_store_imports_only_policy_protocol_and_the_shared_modules() -> None:
    allowed = ("policy", "protocol", "clock", "ids", "records")
    assert breaches("store", allowed, STORE_EXCEPTIONS) == []


#: services never imports web (the Graph router, the call and the gate live in adgate/services/gate/).
SERVICES_IMPORTING_WEB: dict[tuple[str, str], str] = {}


#: What sits above services: the web layer, the composition root and the commands.
ABOVE_SERVICES = ("web", "app", "cli", "cli_calls", "cli_control", "cli_review", "testing")


def test_services_never_import_web() -> None:
    found = {p for p in pairs("services") if within(p[1], *ABOVE_SERVICES)}
    new = sorted(f"{a} imports {b}" for a, b in found - set(SERVICES_IMPORTING_WEB))
    gone = sorted(
        f"{a} no longer imports {b}: remove it from the list" for a, b in set(SERVICES_IMPORTING_WEB) - found
    )
    assert new + gone == []


def test_the_client_imports_nothing_of_the_server() -> None:
    assert breaches("client", (), {}) == []


# --- cycles ------------------------------------------------------------------------------------
#: Import cycles among the imports that run at load time; none today.
KNOWN_CYCLES: list[list[str]] = []


def cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in imports():
        target = own(i.imported)
        if i.at_load and target is not None and target != i.importer:
            graph[i.importer].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph)))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


def test_no_import_cycles_at_load_time() -> None:
    assert cycles() == KNOWN_CYCLES


def test_the_import_reader_sees_what_it_should() -> None:
    """The reader itself: relative imports, ``from package import module``, and the load-time flag."""
    seen = {(i.importer, i.imported): i.at_load for i in imports()}
    assert seen[("adgate.protocol.dialog", "adgate.ids")] is True
    assert seen[("adgate.services.registry", "adgate.services.gate.router")] is False
    assert "adgate.policy" in MODULES and "adgate.store.sql" in MODULES
