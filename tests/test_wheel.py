"""The package installs as users install it: a wheel, not the editable checkout.

A wheel built from the repository goes into a fresh virtual environment (its dependencies from the
same hashed lock ``scripts/setup`` uses), and ``adgate serve --demo`` started from outside the
repository serves what only the package data can give: the migrations (a demo world exists), the
templates (the dialog and console pages), the static files, the policy presets and ``py.typed``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from processes import stop, wait_until_up

from adgate.testing.server import free_port

ROOT = Path(__file__).resolve().parents[1]
ADMIN_KEY = "wheel-test-admin-key-0123456789abcdef"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: built by the locked setuptools of this venv, nothing fetched.
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        cwd=out,
    )
    assert "deprecat" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    (built,) = out.glob("adgate-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the locked dependencies and the wheel; returns its bin directory."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(home)
    # uv (locked in the dev lock) installs exactly what pip would from the same hashed lock, faster.
    uv = [
        str(Path(sys.executable).parent / "uv"),
        "pip",
        "install",
        "--quiet",
        "--python",
        str(home / "bin" / "python"),
    ]
    lock = ROOT / "requirements" / "demo.txt"
    subprocess.run([*uv, "--require-hashes", "--no-deps", "-r", str(lock)], check=True)
    subprocess.run([*uv, "--no-deps", str(wheel)], check=True)
    return home / "bin"


def test_the_wheel_carries_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in (
        "adgate/py.typed",
        "adgate/policy/presets/limited-full.json",
        "adgate/static/console.css",
        "adgate/static/dialog.css",
    ):
        assert wanted in names, wanted
    assert any(n.startswith("adgate/store/migrations/versions/0001_") for n in names)
    assert any(n.startswith("adgate/templates/") and n.endswith(".html") for n in names)
    assert not any(n.startswith("tests/") for n in names)


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    where = tmp_path_factory.mktemp("elsewhere")  # not the checkout: nothing imports from the source tree
    port = free_port()
    site = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import adgate, pathlib; print(pathlib.Path(adgate.__file__).parent)",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=where,
    ).stdout.strip()
    package = Path(site)
    assert ROOT not in package.parents, f"adgate imported from the checkout: {package}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADGATE_")}
    env.update(
        ADGATE_ADMIN_KEY=ADMIN_KEY,
        ADGATE_PASSWORD_HASHING="fast",
        ADGATE_POLICY_FILE=str(package / "policy" / "presets" / "limited-full.json"),
    )
    log = (where / "serve.log").open("wb")
    process = subprocess.Popen(
        [
            str(installed / "adgate"),
            "serve",
            "--demo",
            "--port",
            str(port),
            "--data-dir",
            str(where / "data"),
        ],
        cwd=where,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_health", process, where / "serve.log")
        yield url, package
    finally:
        stop(process)
        log.close()


def test_the_installed_wheel_serves_the_demo_with_its_migrations_templates_and_static_files(
    served: tuple[str, Path],
) -> None:
    url, _ = served
    world = httpx.get(f"{url}/_sandbox/world", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    assert world["apps"], world  # the migrations ran and the demo world was seeded
    app_id = world["apps"][0]["id"]

    login = httpx.get(f"{url}/console/login")
    assert login.status_code == 200
    assert "<form" in login.text

    css = httpx.get(f"{url}/static/console.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")

    dialog = httpx.get(
        f"{url}/v26.0/dialog/oauth",
        params={"client_id": app_id, "redirect_uri": "http://localhost:8000/callback", "scope": "ads_read"},
    )
    assert dialog.status_code in (200, 400), dialog.text
    assert "<html" in dialog.text.lower()


def test_the_installed_wheel_reads_a_shipped_policy_preset(served: tuple[str, Path]) -> None:
    """The server started with ADGATE_POLICY_FILE naming the preset inside the installed package."""
    url, package = served
    preset = package / "policy" / "presets" / "limited-full.json"
    assert preset.is_file()
    world = httpx.get(f"{url}/_sandbox/world", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    levels = {app.get("access_level") or app.get("level") for app in world["apps"]}
    assert levels == {"limited"}, world["apps"]
