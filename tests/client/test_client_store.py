"""The token store in the app's own database: encrypted at rest, one row per person or page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, text

from adgate.client import TokenStore, create_tables, generate_key
from adgate.client.store import metadata, tokens

TOKEN = "EAAGm0PX4ZCpsBAFakeLongLivedUserToken1234567890"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The app's database: SQLite, and PostgreSQL (through psycopg) where the server is reachable."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        database: str = request.getfixturevalue("postgres_database")
        url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    e = create_engine(url)
    yield e
    metadata.drop_all(e)
    e.dispose()


def test_a_stored_token_round_trips_and_the_raw_column_does_not_hold_it(
    store: TokenStore, engine: Engine
) -> None:
    saved = store.save(
        TOKEN,
        app_id="1234",
        person_id="555",
        scopes=["ads_management", "ads_read", "ads_management"],
        expires_at=1_800_000_000,
        data_access_expires_at=1_797_000_000,
        contact_email="ada@example.com",
        label="Ada's ads",
    )
    assert store.reveal(saved.id) == TOKEN
    assert (saved.kind, saved.person_id, saved.page_id, saved.status) == ("user", "555", None, "valid")
    assert saved.scopes == ("ads_management", "ads_read")
    assert (saved.expires_at, saved.data_access_expires_at) == (1_800_000_000, 1_797_000_000)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT * FROM adgate_tokens")).mappings().one()
    assert all(TOKEN not in str(value) for value in raw.values())
    assert TOKEN[:20] not in raw["token_encrypted"]
    assert "TOKEN" not in repr(saved) and TOKEN not in repr(saved)


def test_another_key_cannot_read_the_token(store: TokenStore, engine: Engine) -> None:
    saved = store.save(TOKEN, app_id="1234", person_id="555")
    with pytest.raises(ValueError, match="another key"):
        TokenStore(engine, generate_key()).reveal(saved.id)


def test_a_bad_key_is_refused_up_front(engine: Engine) -> None:
    with pytest.raises(ValueError, match="Fernet key"):
        TokenStore(engine, "not a key")


def test_saving_again_for_the_same_person_replaces_the_row_and_revives_it(store: TokenStore) -> None:
    first = store.save(TOKEN, app_id="1234", person_id="555", contact_email="ada@example.com")
    store.record_dead(first.id, code=190, subcode=460, message="password changed")
    store.mark_notified(first.id)
    second = store.save("A-NEW-TOKEN", app_id="1234", person_id="555", scopes=["ads_read"])
    assert second.id == first.id
    assert store.reveal(second.id) == "A-NEW-TOKEN"
    assert (second.status, second.dead_code, second.dead_subcode, second.notified_at) == (
        "valid",
        None,
        None,
        None,
    )
    assert second.contact_email == "ada@example.com"  # kept when not given again
    page = store.save("PAGE-TOKEN", app_id="1234", kind="page", person_id="555", page_id="777")
    assert page.id != first.id
    assert [t.id for t in store.find(person_id="555")] == [first.id, page.id]
    assert [t.id for t in store.find(kind="page")] == [page.id]


def test_dead_tokens_keep_their_reason_and_a_failed_check_changes_nothing_else(store: TokenStore) -> None:
    saved = store.save(TOKEN, app_id="1234", person_id="555")
    failed = store.record_failed_check(saved.id, "GraphUnavailableError: ConnectError")
    assert (failed.status, failed.failed_checks, failed.last_check_error) == (
        "valid",
        1,
        "GraphUnavailableError: ConnectError",
    )
    assert failed.last_failed_check_at is not None and failed.last_checked_at is None
    dead = store.record_dead(saved.id, code=190, subcode=463, message="Session has expired")
    assert (dead.status, dead.dead_code, dead.dead_subcode, dead.dead_message) == (
        "dead",
        190,
        463,
        "Session has expired",
    )
    assert dead.failed_checks == 0 and dead.last_checked_at is not None
    assert store.reveal(saved.id) == TOKEN  # dead is not deleted: the row waits for a fresh login
    assert [t.id for t in store.find(statuses=["dead"])] == [saved.id]


def test_the_table_lives_in_its_own_metadata_and_creating_it_twice_is_harmless(engine: Engine) -> None:
    create_tables(engine)
    create_tables(engine)
    assert "adgate_tokens" in inspect(engine).get_table_names()
    assert tokens.metadata.tables.keys() == {"adgate_tokens"}
    with engine.connect() as conn:
        assert conn.execute(select(tokens)).all() == []


def test_kind_is_checked(store: TokenStore) -> None:
    with pytest.raises(ValueError, match="kind"):
        store.save(TOKEN, app_id="1234", kind="robot")
