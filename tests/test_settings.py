import os
import stat
from pathlib import Path

import pytest

from adgate.settings import Settings, SettingsError, normalize_database_url


def test_defaults_put_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"ADGATE_DATA_DIR": str(tmp_path / "d")})
    assert settings.database_url == f"sqlite+aiosqlite:///{(tmp_path / 'd').resolve() / 'adgate.db'}"
    assert settings.redis_url is None
    assert settings.limiter_failure == "open"


def test_generated_secrets_are_kept_private_and_survive_a_restart(tmp_path: Path) -> None:
    first = Settings.from_env({"ADGATE_DATA_DIR": str(tmp_path)}).with_persisted_secrets()
    second = Settings.from_env({"ADGATE_DATA_DIR": str(tmp_path)}).with_persisted_secrets()
    assert first.admin_key and first.secret_key
    assert (first.admin_key, first.secret_key) == (second.admin_key, second.secret_key)
    mode = stat.S_IMODE(os.stat(tmp_path / "secrets.json").st_mode)
    assert mode == 0o600


def test_secrets_from_the_environment_win(tmp_path: Path) -> None:
    env = {"ADGATE_DATA_DIR": str(tmp_path), "ADGATE_ADMIN_KEY": "k", "ADGATE_SECRET_KEY": "s"}
    settings = Settings.from_env(env).with_persisted_secrets()
    assert (settings.admin_key, settings.secret_key) == ("k", "s")
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_map_to_async_drivers(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"ADGATE_DATABASE_URL": "mysql://x"},
        {"ADGATE_LIMITER_FAILURE": "sideways"},
        {"ADGATE_PASSWORD_HASHING": "md5"},
        {"ADGATE_MAX_BODY_BYTES": "lots"},
    ],
)
def test_bad_settings_are_refused_with_the_name(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)
