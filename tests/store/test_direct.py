"""Statements run on the driver (adgate.store.sql.direct) answer as SQLAlchemy's execution does,
tell the watch the same tags, and fail the same way; what it cannot run goes through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, create_engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, NoResultFound

from adgate.store import tables as t
from adgate.store.interfaces import ReadOnlyError
from adgate.store.sql import direct
from adgate.store.sql.direct import Immediate
from adgate.store.sql.watch import READ_ONLY, WRITES, watch
from adgate.store.sql.world import by_key_of
from adgate.testing.schema import migrated_sqlite

pytestmark = pytest.mark.anyio

_INSERT_PERSON = insert(t.people)
_REVIEWERS = select(t.people.c.id, t.people.c.is_reviewer).where(t.people.c.is_reviewer == bindparam("flag"))
_RENAME = update(t.people).where(t.people.c.id == bindparam("person")).values(name=bindparam("new_name"))
_COUNT = select(func.count()).select_from(t.people)
_FORGET = delete(t.people).where(t.people.c.id == bindparam("person"))


def person(n: int, *, reviewer: bool = False) -> dict[str, Any]:
    return {
        "id": str(n),
        "name": f"Person {n}",
        "email": f"p{n}@example.com",
        "password_hash": "x",
        "password_epoch": 0,
        "session_epoch": 0,
        "is_reviewer": reviewer,
        "created_at": 1_790_000_000,
    }


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    engine = create_engine(f"sqlite:///{migrated_sqlite(tmp_path / 'direct.db')}")
    watch(engine)
    with engine.connect() as connection:
        connection.begin()
        yield connection
    engine.dispose()


def prepared(statement: Any) -> bool:
    plans = direct._plans._by_statement.get(statement) or {}
    return any(isinstance(plan, direct.Prepared) for plan in plans.values())


async def twice(immediate: Immediate, statement: Any, parameters: Any = None) -> tuple[Any, Any]:
    """The same statement through SQLAlchemy (its first execution) and then on the driver."""
    first = await immediate.execute(statement, parameters)
    second = await immediate.execute(statement, parameters)
    return first, second


async def test_a_statement_built_once_runs_on_the_driver_and_answers_as_sqlalchemy_does(
    conn: Connection,
) -> None:
    immediate = Immediate(conn)
    for n in range(1, 4):
        await immediate.execute(_INSERT_PERSON, person(n, reviewer=n == 2))
    assert prepared(_INSERT_PERSON)  # executed a second time: compiled once, run directly

    through, directly = await twice(immediate, _REVIEWERS, {"flag": True})
    assert prepared(_REVIEWERS)
    assert isinstance(directly, direct.Rows) and not isinstance(through, direct.Rows)
    # The Boolean's bind processor (True → 1) and result processor (1 → True) both applied.
    assert directly.all() == [tuple(row) for row in through.all()] == [("2", True)]

    through, directly = await twice(immediate, by_key_of(t.people, "id"), {"id": "2"})
    assert directly.mappings().first() == dict(through.mappings().first())
    assert directly.mappings().first()["is_reviewer"] is True
    through, directly = await twice(immediate, by_key_of(t.people, "id"), {"id": "9"})
    assert directly.mappings().first() is None and directly.first() is None

    through, directly = await twice(immediate, _COUNT)
    assert directly.scalar_one() == through.scalar_one() == 3
    assert directly.one() == (3,) and directly.scalar() == 3

    first = await immediate.execute(_RENAME, {"person": "1", "new_name": "One"})
    again = await immediate.execute(_RENAME, {"person": "9", "new_name": "Nobody"})
    assert (first.rowcount, again.rowcount) == (1, 0)
    assert isinstance(again, direct.Rows)

    empty = await immediate.execute(_REVIEWERS, {"flag": None})
    with pytest.raises(NoResultFound):
        empty.one()


async def test_the_watch_gets_the_same_tags_on_either_path(conn: Connection) -> None:
    immediate = Immediate(conn)
    for n in (1, 2):
        await immediate.execute(_INSERT_PERSON, person(n))
    assert prepared(_INSERT_PERSON)

    conn.info[WRITES] = set()
    conn.execute(_INSERT_PERSON, person(3))
    through = set(conn.info[WRITES])
    conn.info[WRITES] = set()
    await immediate.execute(_INSERT_PERSON, person(4))
    directly = set(conn.info[WRITES])
    assert ("people", "id", "4") in directly and ("people", "email", "p4@example.com", "+") in directly
    assert directly == {_renumbered(tag) for tag in through}


def _renumbered(tag: Any) -> Any:
    """A tag of person 3 as the same write of person 4 has it."""
    if isinstance(tag, str):
        return tag
    return (*tag[:2], tag[2].replace("3", "4"), *tag[3:])


async def test_a_duplicate_is_sqlalchemys_integrity_error_and_a_write_on_a_read_only_connection_is_refused(
    conn: Connection,
) -> None:
    immediate = Immediate(conn)
    await immediate.execute(_INSERT_PERSON, person(1))
    await immediate.execute(_INSERT_PERSON, person(2))
    assert prepared(_INSERT_PERSON)
    with pytest.raises(IntegrityError):
        await immediate.execute(_INSERT_PERSON, person(2))  # the transaction turns it into DuplicateError
    read_only = Immediate(conn.execution_options(**{READ_ONLY: True}))
    with pytest.raises(ReadOnlyError):
        await read_only.execute(_FORGET, {"person": "1"})
    assert (await immediate.execute(_COUNT)).scalar_one() == 2


async def test_what_the_driver_path_cannot_run_goes_through_sqlalchemy(conn: Connection) -> None:
    immediate = Immediate(conn)
    among = select(t.people.c.id).where(t.people.c.id.in_(bindparam("ids", expanding=True)))
    await immediate.execute(_INSERT_PERSON, person(1))
    through, again = await twice(immediate, among, {"ids": ["1", "2"]})
    assert not prepared(among) and not isinstance(again, direct.Rows)  # an expanding IN
    assert again.all() == through.all()

    once = [await immediate.execute(select(t.people.c.name).where(t.people.c.id == "1")) for _ in range(2)]
    assert not any(isinstance(result, direct.Rows) for result in once)  # built anew for each call

    partial = {key: value for key, value in person(2).items() if key != "is_reviewer"}
    await immediate.execute(_INSERT_PERSON, partial)
    await immediate.execute(_INSERT_PERSON, {**partial, "id": "3", "email": "p3@example.com"})
    # is_reviewer's default is computed by SQLAlchemy at execution: never run on the driver.
    plans = direct._plans._by_statement[_INSERT_PERSON]
    assert plans[tuple(sorted(partial))] is None
    reviewers = await immediate.execute(select(t.people.c.is_reviewer).order_by(t.people.c.id))
    assert [row[0] for row in reviewers.all()] == [False, False, False]
