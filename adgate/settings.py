"""Typed settings, read once from an environment mapping.

Every name here is public: other tools and test suites rely on them.

| variable | meaning | default |
|---|---|---|
| ``ADGATE_DATA_DIR`` | where the SQLite file and the generated secrets live | ``./.adgate`` |
| ``ADGATE_DATABASE_URL`` | SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``) | SQLite in the data dir |
| ``ADGATE_REDIS_URL`` | Redis for shared rate-limit counters and invalidation | none (in process) |
| ``ADGATE_ADMIN_KEY`` | Bearer key for ``/_sandbox`` | generated, kept in the data dir |
| ``ADGATE_SECRET_KEY`` | keys token digests and app-secret encryption | generated, kept in the data dir |
| ``ADGATE_POLICY_FILE`` | JSON file replacing the access-level table | the seed's table |
| ``ADGATE_PUBLIC_URL`` | base URL used in links the server prints | ``http://{host}:{port}`` |
| ``ADGATE_LIMITER_FAILURE`` | ``open`` or ``closed`` when Redis is unreachable | ``open`` |
| ``ADGATE_PASSWORD_HASHING`` | ``argon2id`` (RFC 9106 second profile) or ``fast`` (tests) | ``argon2id`` |
| ``ADGATE_MAX_BODY_BYTES`` | request bodies above this get a Graph error | 4 MiB |
| ``ADGATE_LOG_LEVEL`` | ``DEBUG`` … ``ERROR`` | ``INFO`` |
| ``ADGATE_REVIEW_MODE`` | ``manual`` (a reviewer decides) or ``auto`` (criteria at due time) | ``manual`` |
| ``ADGATE_READ_CACHE`` | ``on``, or ``off``: read every record from the database on every call | ``on`` |
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

SECRETS_FILE = "secrets.json"


class SettingsError(ValueError):
    """A setting has a value adgate cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None = None
    admin_key: str | None = None
    secret_key: str | None = None
    policy_file: Path | None = None
    public_url: str | None = None
    limiter_failure: Literal["open", "closed"] = "open"
    password_hashing: Literal["argon2id", "fast"] = "argon2id"
    max_body_bytes: int = 4 * 1024 * 1024
    log_level: str = "INFO"
    review_mode: Literal["manual", "auto"] = "manual"
    #: The protected routes of an upstream API (``adgate.policy.gateway``); None: no gateway.
    gateway_file: Path | None = None
    #: False: no read cache, gate memo or held counts (a reference to compare the cache against).
    read_cache: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Parse settings from ``env`` (``os.environ`` by default); keyword overrides win."""
        env = os.environ if env is None else env
        data_dir = Path(str(overrides.pop("data_dir", None) or env.get("ADGATE_DATA_DIR", ".adgate")))
        database_url = str(
            overrides.pop("database_url", None)
            or env.get("ADGATE_DATABASE_URL")
            or f"sqlite:///{data_dir.resolve() / 'adgate.db'}"
        )
        limiter_failure = env.get("ADGATE_LIMITER_FAILURE", "open")
        if limiter_failure not in ("open", "closed"):
            raise SettingsError("ADGATE_LIMITER_FAILURE must be 'open' or 'closed'")
        hashing = env.get("ADGATE_PASSWORD_HASHING", "argon2id")
        if hashing not in ("argon2id", "fast"):
            raise SettingsError("ADGATE_PASSWORD_HASHING must be 'argon2id' or 'fast'")
        try:
            max_body = int(env.get("ADGATE_MAX_BODY_BYTES", str(4 * 1024 * 1024)))
        except ValueError:
            raise SettingsError("ADGATE_MAX_BODY_BYTES must be an integer") from None
        review_mode = env.get("ADGATE_REVIEW_MODE", "manual")
        if review_mode not in ("manual", "auto"):
            raise SettingsError("ADGATE_REVIEW_MODE must be 'manual' or 'auto'")
        read_cache = env.get("ADGATE_READ_CACHE", "on")
        if read_cache not in ("on", "off"):
            raise SettingsError("ADGATE_READ_CACHE must be 'on' or 'off'")
        policy = env.get("ADGATE_POLICY_FILE")
        gateway = env.get("ADGATE_GATEWAY_FILE")
        settings = cls(
            data_dir=data_dir,
            database_url=normalize_database_url(database_url),
            redis_url=env.get("ADGATE_REDIS_URL") or None,
            admin_key=env.get("ADGATE_ADMIN_KEY") or None,
            secret_key=env.get("ADGATE_SECRET_KEY") or None,
            policy_file=Path(policy) if policy else None,
            public_url=env.get("ADGATE_PUBLIC_URL") or None,
            limiter_failure=limiter_failure,  # type: ignore[arg-type]
            password_hashing=hashing,  # type: ignore[arg-type]
            max_body_bytes=max_body,
            log_level=env.get("ADGATE_LOG_LEVEL", "INFO").upper(),
            review_mode=review_mode,  # type: ignore[arg-type]
            gateway_file=Path(gateway) if gateway else None,
            read_cache=read_cache == "on",
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]

    def with_persisted_secrets(self) -> Settings:
        """Fill in the admin key and secret key, generating and keeping them on first start.

        The file is created with mode 0600 so that a restart keeps every token valid (tokens are
        stored as digests keyed by the secret key) while nobody else on the machine can read it.
        """
        if self.admin_key and self.secret_key:
            return self
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.data_dir / SECRETS_FILE
        stored: dict[str, str] = {}
        if path.exists():
            try:
                stored = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                raise SettingsError(f"cannot read {path}: {exc}") from exc
        changed = False
        for name in ("admin_key", "secret_key"):
            if not stored.get(name):
                stored[name] = secrets.token_urlsafe(32)
                changed = True
        if changed:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(stored, fh, indent=2)
            os.chmod(path, 0o600)
        return replace(
            self,
            admin_key=self.admin_key or stored["admin_key"],
            secret_key=self.secret_key or stored["secret_key"],
        )


def normalize_database_url(url: str) -> str:
    """Map the URLs people type to the async drivers adgate runs on."""
    if url.startswith("sqlite:///") or url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    if url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return url
    raise SettingsError(f"unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:// or postgresql://")
