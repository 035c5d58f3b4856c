"""The world the gate benchmarks run against, written straight into a data directory.

Everything is created before the server starts, through the same services the server uses
(``adgate.app.build_services``) or, for bulk rows, with SQLAlchemy Core ``executemany`` in one
transaction: people and their authorizations (the "users" of the app-level window), a Standard
app, ad accounts the benchmark person administers, live user tokens with their appsecret_proofs,
filler token rows (to reach 1k or 1M stored tokens), and single-use codes for the exchange.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, func, insert, select

from adgate import ids
from adgate import records as r
from adgate.app import build_services
from adgate.clock import SandboxClock
from adgate.keyring import Keyring
from adgate.policy.appsecret_proof import make_proof
from adgate.policy.tokens import CODE_SECONDS, LONG_LIVED_USER_SECONDS
from adgate.services.registry import Services
from adgate.services.tokens.grants import record_authorization
from adgate.services.tokens.issuer import Issuer, new_token
from adgate.settings import Settings
from adgate.store import tables as t
from adgate.store.migrate import upgrade
from adgate.store.sql import rows
from adgate.store.sql.database import SqlDatabase

CALLBACK = "https://bench.example/callback"
SCOPES = ("public_profile", "ads_read", "ads_management")
BATCH = 50_000
T = TypeVar("T")


@dataclass
class BenchWorld:
    app_id: str
    secret: str
    accounts: list[str]
    #: Live user tokens of the benchmark person (an app administrator), in clear.
    tokens: list[str]
    person_id: str

    @property
    def app_token(self) -> str:
        return f"{self.app_id}|{self.secret}"

    def proof(self, token: str) -> str:
        return make_proof(self.secret, token)


def bench_settings(data_dir: Path) -> Settings:
    """The settings ``adgate serve --data-dir`` will read (same secrets file, same SQLite file, or
    the database of ``ADGATE_DATABASE_URL`` if set, as the server would)."""
    env = {"ADGATE_PASSWORD_HASHING": "fast", "ADGATE_LOG_LEVEL": "WARNING"}
    if os.environ.get("ADGATE_DATABASE_URL"):
        env["ADGATE_DATABASE_URL"] = os.environ["ADGATE_DATABASE_URL"]
    return Settings.from_env(env, data_dir=data_dir).with_persisted_secrets()


def sync_url(settings: Settings) -> str:
    return settings.database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


async def _seed(services: Services, accounts: int, live_tokens: int) -> BenchWorld:
    core, world = services.core, services.world
    person = await world.create_person("Bench Admin", "bench@example.com", "bench password")
    app, secret = await world.create_app("Bench App", redirect_uris=[CALLBACK], admin_id=person.id)
    await world.set_access_level(app.id, "basic")
    app = await world.set_access_level(app.id, "standard")
    now = core.now()
    async with core.db.transaction() as tx:
        await record_authorization(tx, app.id, person.id, dict.fromkeys(SCOPES, "granted"), now)
    made = []
    async with core.db.transaction() as tx:
        for n in range(accounts):
            account_id = ids.new_id()
            account = r.AdAccount(account_id, f"Bench {n}", None, "USD", "America/Los_Angeles", 1, now)
            await tx.ad_accounts.add(account)
            await tx.nodes.add(account_id, "ad_account")
            await tx.ad_account_roles.set(r.Role(account_id, person.id, "admin"))
            made.append(account_id)
    raws = []
    async with core.db.transaction() as tx:
        fresh = await tx.people.get(person.id)
        assert fresh is not None
        for _ in range(live_tokens):
            raw, _token = await core.issuer.issue(
                tx,
                kind="user",
                app=app,
                person=fresh,
                now=now,
                expires_at=now + LONG_LIVED_USER_SECONDS,
                scopes=SCOPES,
                long_lived=True,
            )
            raws.append(raw)
    return BenchWorld(app.id, secret, made, raws, person.id)


async def _with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    services = build_services(settings)
    db = services.core.db
    assert isinstance(db, SqlDatabase)
    await upgrade(db.engine)
    try:
        return await work(services)
    finally:
        await db.close()


def seed(data_dir: Path, *, accounts: int = 500, live_tokens: int = 1000) -> BenchWorld:
    settings = bench_settings(data_dir)
    return asyncio.run(_with_services(settings, lambda s: _seed(s, accounts, live_tokens)))


def bulk_users(data_dir: Path, world: BenchWorld, users: int) -> None:
    """``users`` people who authorized the app: the app-level window is ``200 * users`` an hour."""
    engine = create_engine(sync_url(bench_settings(data_dir)))
    with engine.begin() as conn:
        people = [
            {
                "id": ids.new_id(),
                "name": f"User {n}",
                "email": f"user{n}@bench.example",
                "password_hash": "-",
                "password_epoch": 0,
                "session_epoch": 0,
                "is_reviewer": False,
                "created_at": 0,
            }
            for n in range(users)
        ]
        conn.execute(insert(t.people), people)
        conn.execute(insert(t.nodes), [{"id": p["id"], "kind": "person"} for p in people])
        conn.execute(
            insert(t.authorizations),
            [
                {
                    "app_id": world.app_id,
                    "person_id": p["id"],
                    "authorized_at": 0,
                    "last_active_at": 0,
                    "deauthorized_at": None,
                }
                for p in people
            ],
        )
    engine.dispose()


def bulk_tokens(data_dir: Path, world: BenchWorld, total: int, *, keep: int = 0) -> list[str]:
    """Long-lived user tokens of the benchmark person until ``total`` are stored, inserted with
    SQLAlchemy Core ``executemany`` in batches, in one transaction.

    The first ``keep`` are real tokens, returned in clear; the rest are stored digests of tokens
    nobody holds (random, as keyed digests look), which is all the lookup index sees. Rows go in
    digest order, so the index is filled sequentially.
    """
    settings = bench_settings(data_dir)
    keyring = Keyring(settings.secret_key or "")
    engine = create_engine(sync_url(settings))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-400000")
        stored = int(conn.execute(select(func.count()).select_from(t.tokens)).scalar_one())
        missing = max(total - stored, 0)
        kept = [new_token() for _ in range(min(keep, missing))]
        digests = [keyring.digest(raw) for raw in kept]
        digests += [secrets.token_hex(32) for _ in range(missing - len(kept))]
        digests.sort()
        row = {
            "kind": "user",
            "app_id": world.app_id,
            "person_id": world.person_id,
            "page_id": None,
            "system_user_id": None,
            "scopes": ",".join(SCOPES),
            "issued_at": 0,
            "expires_at": 2_000_000_000,
            "long_lived": True,
            "password_epoch": 0,
            "session_epoch": 0,
            "secret_version": 0,
            "code_digest": None,
            "revoked_at": None,
            "revoked_reason": None,
            "assets": None,
        }
        # The Core INSERT, compiled once and run with executemany on plain tuples: per-row
        # parameter processing would cost more than SQLite's own work.
        columns = [column.name for column in t.tokens.columns]
        assert columns[0] == "digest"
        rest = tuple(row[c] for c in columns[1:])
        statement = str(insert(t.tokens).compile(dialect=conn.dialect))
        for start in range(0, len(digests), BATCH):
            batch = digests[start : start + BATCH]
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(statement, [(d, *rest) for d in batch])
            else:  # psycopg takes named parameters
                conn.execute(insert(t.tokens), [{**row, "digest": d} for d in batch])
    engine.dispose()
    return kept


def count_tokens(data_dir: Path) -> int:
    engine = create_engine(sync_url(bench_settings(data_dir)))
    with engine.connect() as conn:
        stored = int(conn.execute(select(func.count()).select_from(t.tokens)).scalar_one())
    engine.dispose()
    return stored


class _CodeCollector:
    """Stands in for a transaction's ``codes`` repository: keeps what the issuer adds."""

    def __init__(self) -> None:
        self.codes = self
        self.added: list[r.AuthCode] = []

    async def add(self, code: r.AuthCode) -> None:
        self.added.append(code)


def mint_codes(data_dir: Path, world: BenchWorld, n: int) -> list[str]:
    """``n`` single-use codes of the benchmark person, minted by the server's own issuer
    (``Issuer.issue_code``) and inserted in one transaction with ``executemany``."""
    settings = bench_settings(data_dir)
    issuer = Issuer(Keyring(settings.secret_key or ""))
    engine = create_engine(sync_url(settings))
    with engine.connect() as conn:
        app = rows.app(dict(conn.execute(select(t.apps).where(t.apps.c.id == world.app_id)).mappings().one()))
        found = conn.execute(select(t.people).where(t.people.c.id == world.person_id))
        person = rows.person(dict(found.mappings().one()))
    now = int(SandboxClock().now())
    collector = _CodeCollector()

    async def issue() -> list[str]:
        return [
            await issuer.issue_code(
                collector,  # type: ignore[arg-type]
                app=app,
                person=person,
                redirect_uri=CALLBACK,
                scopes=SCOPES,
                now=now,
                expires_at=now + CODE_SECONDS,
            )
            for _ in range(n)
        ]

    codes = asyncio.run(issue())
    with engine.begin() as conn:
        conn.execute(insert(t.auth_codes), [rows.values_of(code) for code in collector.added])
    engine.dispose()
    return codes
