"""The locks (``requirements/*.txt``) agree with ``pyproject.toml``, offline.

``scripts/setup`` installs only what a lock names, each file checked by its sha256, so a fresh clone
installs the same versions on every machine whatever a registry released today. These tests fail when
someone edits ``pyproject.toml`` (a range, a new dependency, a removed one) without running
``scripts/lock``: every direct requirement is pinned at a version its range allows, and the lock's
packages for this interpreter are exactly the closure of those requirements (read from the installed
packages' own metadata, so no registry is asked).
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


@dataclass(frozen=True)
class Pin:
    version: str
    marker: Marker | None
    hashes: int

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(name: str) -> dict[NormalizedName, Pin]:
    pins: dict[NormalizedName, Pin] = {}
    current: tuple[NormalizedName, str, Marker | None] | None = None
    hashes = 0

    def close() -> None:
        if current is not None:
            pins[current[0]] = Pin(current[1], current[2], hashes)

    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if line.startswith("    --hash=sha256:"):
            hashes += 1
            continue
        match = PIN.match(line)
        if match:
            close()
            marker = match["marker"]
            current = (canonicalize_name(match["name"]), match["version"], Marker(marker) if marker else None)
            hashes = 0
    close()
    return pins


def project() -> dict[str, list[Requirement]]:
    """The project's requirement groups: its dependencies, each extra, and the build backend."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"": [Requirement(r) for r in data["dependencies"]]}
    for extra, reqs in data["optional-dependencies"].items():
        groups[extra] = [Requirement(r) for r in reqs]
    build = (ROOT / "requirements" / "build.in").read_text().splitlines()
    groups["build"] = [Requirement(r) for r in build if r.strip() and not r.startswith("#")]
    return groups


def direct(extra: str) -> list[Requirement]:
    groups = project()
    return groups[""] + groups[extra] + groups["build"]


def closure(roots: list[Requirement]) -> set[NormalizedName]:
    """Every package these requirements pull in on this interpreter, from installed metadata."""
    seen: set[tuple[NormalizedName, str]] = set()
    todo = [r for r in roots if r.marker is None or r.marker.evaluate({"extra": ""})]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        for extra in {"", *req.extras}:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for spec in metadata.requires(req.name) or []:
                child = Requirement(spec)
                if child.marker is None or child.marker.evaluate({"extra": extra}):
                    child.marker = None
                    todo.append(child)
    return {name for name, _ in seen}


LOCKS = [("dev.txt", "dev"), ("demo.txt", "sdk")]


@pytest.mark.parametrize(("lock", "extra"), LOCKS)
def test_every_direct_requirement_is_pinned_within_its_range(lock: str, extra: str) -> None:
    pins = read_lock(lock)
    for req in direct(extra):
        name = canonicalize_name(req.name)
        assert name in pins, (
            f"{req.name} is in pyproject.toml but not in requirements/{lock}: run scripts/lock"
        )
        assert req.specifier.contains(pins[name].version, prereleases=True), (
            f"requirements/{lock} pins {req.name}=={pins[name].version}, outside {req}: run scripts/lock"
        )


@pytest.mark.parametrize(("lock", "extra"), LOCKS)
def test_every_pin_carries_hashes(lock: str, extra: str) -> None:
    for name, pin in read_lock(lock).items():
        assert pin.hashes > 0, f"{name} in requirements/{lock} has no --hash"


@pytest.mark.parametrize(("lock", "extra"), LOCKS)
def test_the_lock_is_exactly_the_closure_of_the_project_requirements(lock: str, extra: str) -> None:
    """Nothing missing (a new transitive dependency) and nothing stale (a dependency since removed)."""
    applying = {name for name, pin in read_lock(lock).items() if pin.applies()}
    needed = closure(direct(extra)) - {canonicalize_name("adgate")}
    assert sorted(needed - applying) == [], f"missing from requirements/{lock}: run scripts/lock"
    assert sorted(applying - needed) == [], f"stale in requirements/{lock}: run scripts/lock"


def test_the_demo_lock_agrees_with_the_dev_lock() -> None:
    dev, demo = read_lock("dev.txt"), read_lock("demo.txt")
    assert {n: p.version for n, p in demo.items() if dev[n].version != p.version} == {}


def test_the_installed_versions_are_the_locked_ones() -> None:
    """The venv running this suite was installed from the dev lock (scripts/setup --dev)."""
    for name, pin in read_lock("dev.txt").items():
        if pin.applies():
            assert metadata.version(name) == pin.version, name


def test_the_lock_is_for_the_oldest_python_the_project_supports() -> None:
    assert sys.version_info >= (3, 11)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11", "scripts/lock compiles with --python-version 3.11: keep them together"
