"""Statements run on the ``sqlite3`` connection itself, for the event loop thread's connections.

The repositories build their hot statements once (``by_key_of``, ``_INSERT_TOKEN``, ``_USE``, …).
Through a SQLAlchemy ``Connection`` each execution of one still costs about 20 µs around the
driver's 2 to 20 (an execution context, a result, its metadata, the event dispatch): a third of a
code exchange. :class:`Immediate` runs such a statement on the driver's cursor, compiled once with
SQLAlchemy's own compiler, its parameters bound by the compiled form (``construct_params``, the
types' bind processors) and its rows read back through the types' result processors. Before the
driver runs it, the engine's ``before_cursor_execute`` listeners are called with it as SQLAlchemy
calls them (:func:`adgate.store.sql.watch.observe` among them): the tags a statement writes or
reads are derived by the same code on either path.

Only what it can run as SQLAlchemy would is run so: a ``SELECT``, ``INSERT``, ``UPDATE`` or
``DELETE`` object executed a second time (a statement built for one call goes through SQLAlchemy,
whose compiled cache serves it), with one mapping of parameters or none, inside a transaction
begun already, no Python-side defaults to compute, no expanding (``IN``) or literal parameters,
and result columns matched by position. Anything else goes through ``Connection.execute``.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Delete, Insert, Select, Update
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound

from adgate.store.sql.watch import Execution

#: The statement kinds run directly.
_KINDS = (Select, Insert, Update, Delete)
#: Never executed, and executed once, not prepared yet (see :meth:`_Plans.get`).
_UNSEEN = object()
_SEEN = object()


class Prepared:
    """One statement compiled for the SQLite dialect, with what running it needs."""

    __slots__ = ("compiled", "keys", "names", "processors", "results", "sql")

    def __init__(self, compiled: Any, dialect: Any) -> None:
        self.compiled = compiled
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.processors: Mapping[str, Callable[[Any], Any]] = compiled._bind_processors
        columns = compiled._result_columns
        self.keys: tuple[str, ...] = tuple(column.keyname for column in columns)
        found = [column.type._cached_result_processor(dialect, None) for column in columns]
        self.results: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
            (i, process) for i, process in enumerate(found) if process is not None
        )

    def run(self, conn: Connection, parameters: Mapping[str, Any] | None) -> Rows:
        compiled = self.compiled
        params = compiled.construct_params(parameters)
        processors = self.processors
        values = [
            processors[name](params[name]) if name in processors else params[name] for name in self.names
        ]
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            # The engine's listeners, as Connection.execute calls them (observe: the tags).
            conn.dispatch.before_cursor_execute(
                conn, cursor, self.sql, values, Execution(compiled, [params]), False
            )
            cursor.execute(self.sql, values)
            rows = cursor.fetchall() if cursor.description is not None else []
            rowcount = cursor.rowcount
        except sqlite3.Error as exc:  # as SQLAlchemy raises it (IntegrityError, OperationalError, …)
            raise DBAPIError.instance(self.sql, values, exc, sqlite3.Error, dialect=conn.dialect) from exc
        finally:
            cursor.close()
        if rows and self.results:
            rows = [self._processed(row) for row in rows]
        return Rows(self.keys, rows, rowcount)

    def _processed(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i, process in self.results:
            values[i] = process(values[i])
        return tuple(values)


def prepare(statement: Any, keys: Sequence[str], dialect: Any) -> Prepared | None:
    """``statement`` compiled for ``keys`` (its parameters' names), or None if it cannot be run
    directly (the module's documentation says when)."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if (
        not compiled.positional
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.implicit_returning
        or compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or any(bind.expanding for bind in compiled.binds.values())
        or not compiled._ordered_columns
        or compiled._textual_ordered_columns
        or compiled._loose_column_name_matching
    ):
        return None
    names = [column.keyname for column in compiled._result_columns]
    if len(set(names)) != len(names):
        return None  # rows by name would be ambiguous
    return Prepared(compiled, dialect)


class _Plans:
    """Statement → parameter names → :class:`Prepared` (or None: not directly), kept as long as
    the statement lives. A statement is prepared the second time it is executed: one built for a
    single call would be compiled for nothing (SQLAlchemy's compiled cache serves it instead)."""

    def __init__(self) -> None:
        self._by_statement: weakref.WeakKeyDictionary[Any, dict[tuple[str, ...], Any]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, statement: Any, parameters: Any, dialect: Any) -> Prepared | None:
        if not isinstance(statement, _KINDS):
            return None
        if parameters is None:
            keys: tuple[str, ...] = ()
        elif isinstance(parameters, Mapping):
            keys = tuple(sorted(parameters))
        else:
            return None  # several rows of parameters (executemany)
        plans = self._by_statement.setdefault(statement, {})
        found = plans.get(keys, _UNSEEN)
        if found is _UNSEEN:
            plans[keys] = _SEEN
            return None
        if found is _SEEN:
            found = plans[keys] = prepare(statement, keys, dialect)
        return found  # type: ignore[no-any-return]


_plans = _Plans()


class Immediate:
    """An ``AsyncConnection`` look-alike whose ``execute`` runs at once on a plain connection (all
    the repositories use: :mod:`adgate.store.sql.world` and friends), directly on the driver when
    it can (:class:`Prepared`)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        conn = self._conn
        if conn.in_transaction():
            plan = _plans.get(statement, parameters, self.dialect)
            if plan is not None:
                return plan.run(conn, parameters)
        return conn.execute(statement, parameters)


class Rows:
    """The part of SQLAlchemy's ``CursorResult`` the repositories use, over rows already fetched."""

    __slots__ = ("_keys", "_rows", "rowcount")

    def __init__(self, keys: tuple[str, ...], rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self._keys = keys
        self._rows = rows
        self.rowcount = rowcount

    def mappings(self) -> Mappings:
        keys = self._keys
        return Mappings([dict(zip(keys, row, strict=True)) for row in self._rows])

    def first(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def all(self) -> list[tuple[Any, ...]]:
        return self._rows

    def one(self) -> tuple[Any, ...]:
        return _one(self._rows)

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return _one(self._rows)[0]


class Mappings:
    """``Result.mappings()``: rows as dictionaries by column name."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def first(self) -> dict[str, Any] | None:
        return self._rows[0] if self._rows else None

    def all(self) -> list[dict[str, Any]]:
        return self._rows

    def one(self) -> dict[str, Any]:
        return _one(self._rows)


R = TypeVar("R")


def _one(rows: list[R]) -> R:
    if not rows:
        raise NoResultFound("No row was found when one was required")
    if len(rows) > 1:
        raise MultipleResultsFound("Multiple rows were found when exactly one was required")
    return rows[0]
