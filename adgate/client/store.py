"""Tokens in the app's own database, encrypted at rest (seed, "Store Token").

"The token should be stored in your database for subsequent API calls. You should regularly check
for validity of the token." One table, ``adgate_tokens``, in its own :data:`metadata` (so it never
mixes with the app's own models); :func:`create_tables` creates it in SQLite or PostgreSQL.

The token is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, cryptography) under a key the app
gives: the raw column never holds the token. Everything else is plain, so the app can query it:
kind, person, page, scopes, expiry, data-access expiry, the last check, the status
(``valid`` / ``expiring`` / ``dead``) and why a dead token died (code, subcode, message).

A token is identified by (app, kind, person, page): saving a new token for the same person (or the
same page) replaces the old one in place, so re-logging in revives the row the app already knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy import delete as sql_delete

from adgate.client.clock import Now, system_now
from adgate.client.errors import GraphAPIError

VALID = "valid"
EXPIRING = "expiring"
DEAD = "dead"
STATUSES: tuple[str, ...] = (VALID, EXPIRING, DEAD)
KINDS: tuple[str, ...] = ("user", "page", "system_user", "app")

metadata = MetaData()

tokens = Table(
    "adgate_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("person_id", String(64), nullable=True),
    Column("page_id", String(64), nullable=True),
    Column("token_encrypted", Text, nullable=False),
    Column("scopes", Text, nullable=False, default=""),
    Column("contact_email", String(320), nullable=True),
    Column("label", String(200), nullable=True),
    #: Unix seconds; NULL: does not expire (Graph's ``expires_at: 0``).
    Column("expires_at", BigInteger, nullable=True),
    Column("data_access_expires_at", BigInteger, nullable=True),
    Column("status", String(16), nullable=False, default=VALID),
    Column("dead_code", Integer, nullable=True),
    Column("dead_subcode", Integer, nullable=True),
    Column("dead_message", Text, nullable=True),
    Column("dead_at", BigInteger, nullable=True),
    #: The last check that got an answer from Graph.
    Column("last_checked_at", BigInteger, nullable=True),
    #: The last check that did not (network failure, 5xx, throttling): the token is kept as it was.
    Column("last_failed_check_at", BigInteger, nullable=True),
    Column("last_check_error", Text, nullable=True),
    Column("failed_checks", Integer, nullable=False, default=0),
    #: When the person was last asked to log in again for the current status.
    Column("notified_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_adgate_tokens_identity", "app_id", "kind", "person_id", "page_id"),
    Index("ix_adgate_tokens_status", "status"),
)


def create_tables(engine: Engine) -> None:
    """Create the toolkit's table (idempotent); the app's own tables are untouched."""
    metadata.create_all(engine)


def generate_key() -> str:
    """A fresh Fernet key for :class:`TokenStore` (keep it out of the database)."""
    return Fernet.generate_key().decode()


@dataclass(frozen=True, slots=True)
class StoredToken:
    """One stored token, without the token itself (:meth:`TokenStore.reveal` decrypts it)."""

    id: int
    app_id: str
    kind: str
    person_id: str | None
    page_id: str | None
    scopes: tuple[str, ...]
    contact_email: str | None
    label: str | None
    expires_at: int | None
    data_access_expires_at: int | None
    status: str
    dead_code: int | None
    dead_subcode: int | None
    dead_message: str | None
    dead_at: int | None
    last_checked_at: int | None
    last_failed_check_at: int | None
    last_check_error: str | None
    failed_checks: int
    notified_at: int | None
    created_at: int
    updated_at: int

    @property
    def is_dead(self) -> bool:
        return self.status == DEAD


def _scopes(value: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(s.strip() for s in value if s.strip()))


_PLAIN_FIELDS = tuple(f.name for f in fields(StoredToken) if f.name != "scopes")


def _row(row: Any) -> StoredToken:
    m = row._mapping
    return StoredToken(
        **{name: m[name] for name in _PLAIN_FIELDS},
        scopes=tuple(s for s in (m["scopes"] or "").split(",") if s),
    )


class TokenStore:
    """The app's tokens: encrypted at rest, with their status and the reason a dead one died."""

    def __init__(self, engine: Engine, key: str | bytes, *, now: Now = system_now) -> None:
        self.engine = engine
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ValueError("key must be a Fernet key (adgate.client.store.generate_key())") from None
        self.now = now

    def create_all(self) -> None:
        create_tables(self.engine)

    def _ts(self) -> int:
        return int(self.now())

    # --- writing ------------------------------------------------------------------------------
    def save(
        self,
        token: str,
        *,
        app_id: str,
        kind: str = "user",
        person_id: str | None = None,
        page_id: str | None = None,
        scopes: Iterable[str] = (),
        expires_at: int | None = None,
        data_access_expires_at: int | None = None,
        contact_email: str | None = None,
        label: str | None = None,
    ) -> StoredToken:
        """Store ``token`` as valid; replaces the token with the same app, kind, person and page."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        if not token:
            raise ValueError("token must not be empty")
        now = self._ts()
        values: dict[str, Any] = {
            "token_encrypted": self._fernet.encrypt(token.encode()).decode(),
            "scopes": _scopes(scopes),
            "expires_at": expires_at or None,
            "data_access_expires_at": data_access_expires_at or None,
            **self._revived(),
            "updated_at": now,
        }
        if contact_email is not None:
            values["contact_email"] = contact_email
        if label is not None:
            values["label"] = label
        identity = and_(
            tokens.c.app_id == app_id,
            tokens.c.kind == kind,
            tokens.c.person_id.is_(None) if person_id is None else tokens.c.person_id == person_id,
            tokens.c.page_id.is_(None) if page_id is None else tokens.c.page_id == page_id,
        )
        with self.engine.begin() as conn:
            existing = conn.execute(select(tokens.c.id).where(identity).order_by(tokens.c.id)).first()
            if existing is not None:
                conn.execute(update(tokens).where(tokens.c.id == existing.id).values(**values))
                token_id = int(existing.id)
            else:
                result = conn.execute(
                    insert(tokens).values(
                        app_id=app_id,
                        kind=kind,
                        person_id=person_id,
                        page_id=page_id,
                        created_at=now,
                        **values,
                    )
                )
                assert result.inserted_primary_key is not None
                token_id = int(result.inserted_primary_key[0])
        found = self.get(token_id)
        assert found is not None
        return found

    def replace(
        self,
        token_id: int,
        token: str,
        *,
        scopes: Iterable[str] | None = None,
        expires_at: int | None = None,
        data_access_expires_at: int | None = None,
    ) -> StoredToken:
        """A fresh token for a row (after the person logged in again): valid, reason cleared."""
        values: dict[str, Any] = {
            "token_encrypted": self._fernet.encrypt(token.encode()).decode(),
            "expires_at": expires_at or None,
            "data_access_expires_at": data_access_expires_at or None,
            **self._revived(),
            "updated_at": self._ts(),
        }
        if scopes is not None:
            values["scopes"] = _scopes(scopes)
        return self._update(token_id, values)

    def record_valid(
        self,
        token_id: int,
        *,
        status: str = VALID,
        scopes: Iterable[str] | None = None,
        expires_at: int | None = None,
        data_access_expires_at: int | None = None,
        person_id: str | None = None,
        page_id: str | None = None,
    ) -> StoredToken:
        """A check said the token works (``valid``, or ``expiring`` soon)."""
        if status not in (VALID, EXPIRING):
            raise ValueError("record_valid takes status 'valid' or 'expiring'")
        now = self._ts()
        values: dict[str, Any] = {
            "status": status,
            "expires_at": expires_at or None,
            "data_access_expires_at": data_access_expires_at or None,
            "last_checked_at": now,
            "last_check_error": None,
            "failed_checks": 0,
            "updated_at": now,
        }
        if scopes is not None:
            values["scopes"] = _scopes(scopes)
        if person_id is not None:
            values["person_id"] = person_id
        if page_id is not None:
            values["page_id"] = page_id
        return self._update(token_id, values)

    def record_dead(
        self, token_id: int, *, code: int | None, subcode: int | None, message: str | None
    ) -> StoredToken:
        """Graph said the token is invalid: keep the row (and the token), mark it dead with the reason."""
        now = self._ts()
        current = self.get(token_id)
        if current is None:
            raise KeyError(token_id)
        values: dict[str, Any] = {
            "status": DEAD,
            "dead_code": code,
            "dead_subcode": subcode,
            "dead_message": message,
            "dead_at": current.dead_at if current.is_dead and current.dead_at else now,
            "last_checked_at": now,
            "last_check_error": None,
            "failed_checks": 0,
            "updated_at": now,
        }
        return self._update(token_id, values)

    def record_invalid(self, token_id: int, error: GraphAPIError) -> StoredToken:
        """A call of the app's own met the token dead (an :class:`InvalidTokenError`, code 190):
        mark it dead with Graph's reason, so the next :class:`adgate.client.Reasker` run asks again
        without waiting for the next check."""
        return self.record_dead(token_id, code=error.code, subcode=error.subcode, message=error.message)

    def record_failed_check(self, token_id: int, error: str) -> StoredToken:
        """A check got no answer about the token: note it, change nothing else."""
        current = self.get(token_id)
        if current is None:
            raise KeyError(token_id)
        now = self._ts()
        return self._update(
            token_id,
            {
                "last_failed_check_at": now,
                "last_check_error": error[:2000],
                "failed_checks": current.failed_checks + 1,
                "updated_at": now,
            },
        )

    def mark_notified(self, token_id: int) -> StoredToken:
        return self._update(token_id, {"notified_at": self._ts()})

    def delete(self, token_id: int) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(sql_delete(tokens).where(tokens.c.id == token_id)).rowcount > 0

    def _revived(self) -> dict[str, Any]:
        return {
            "status": VALID,
            "dead_code": None,
            "dead_subcode": None,
            "dead_message": None,
            "dead_at": None,
            "notified_at": None,
            "failed_checks": 0,
            "last_check_error": None,
        }

    def _update(self, token_id: int, values: dict[str, Any]) -> StoredToken:
        with self.engine.begin() as conn:
            old = conn.execute(select(tokens.c.status).where(tokens.c.id == token_id)).first()
            if old is None:
                raise KeyError(token_id)
            if "status" in values and values["status"] != old.status:
                values = {**values, "notified_at": None}  # a new status deserves its own notice
            conn.execute(update(tokens).where(tokens.c.id == token_id).values(**values))
        found = self.get(token_id)
        assert found is not None
        return found

    # --- reading ------------------------------------------------------------------------------
    def get(self, token_id: int) -> StoredToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(tokens).where(tokens.c.id == token_id)).first()
        return _row(row) if row is not None else None

    def reveal(self, token_id: int) -> str:
        """The token itself, decrypted (raises KeyError for an unknown id)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(tokens.c.token_encrypted).where(tokens.c.id == token_id)).first()
        if row is None:
            raise KeyError(token_id)
        try:
            return self._fernet.decrypt(row.token_encrypted.encode()).decode()
        except InvalidToken:
            raise ValueError(f"token {token_id} was encrypted under another key") from None

    def find(
        self,
        *,
        statuses: Sequence[str] | None = None,
        kind: str | None = None,
        person_id: str | None = None,
        page_id: str | None = None,
    ) -> list[StoredToken]:
        query = select(tokens).order_by(tokens.c.id)
        if statuses is not None:
            query = query.where(tokens.c.status.in_(list(statuses)))
        if kind is not None:
            query = query.where(tokens.c.kind == kind)
        if person_id is not None:
            query = query.where(tokens.c.person_id == person_id)
        if page_id is not None:
            query = query.where(tokens.c.page_id == page_id)
        with self.engine.connect() as conn:
            return [_row(row) for row in conn.execute(query)]
