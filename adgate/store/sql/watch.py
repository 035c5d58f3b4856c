"""Every statement is watched: what it may have changed, or what its result depends on.

A statement that is not a ``SELECT`` marks its transaction as a write (refused on a connection of
:meth:`adgate.store.sql.database.SqlDatabase.read`) and adds the tags of what it may have changed
(:func:`adgate.store.dependencies.write_tags`) to its connection's ``info``; a ``SELECT`` run while
reads are being collected reports what its result depends on
(:func:`adgate.store.dependencies.read_tags`). Both are worked out from the compiled statement and
the values of this execution, never declared by hand: docs/caching.md says why none can be missed.

:func:`watch` registers :func:`observe` on an engine (SQLAlchemy's ``before_cursor_execute``);
:mod:`adgate.store.sql.direct`, which runs statements on the driver itself, calls it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event

from adgate.store.dependencies import ANY, EVERYTHING, Tags, read_tags, reading, report, write_tags
from adgate.store.interfaces import ReadOnlyError
from adgate.store.keys import Bound

#: ``conn.info`` key: the transaction on this connection executed a statement that may write.
WROTE = "adgate_wrote"
#: ``conn.info`` key: the tags its writes wrote (:func:`adgate.store.dependencies.write_tags`).
WRITES = "adgate_writes"
#: Execution option of connections that must not write (:meth:`SqlDatabase.read`).
READ_ONLY = "adgate_read_only"
#: Statements that change nothing (``SELECT … FOR UPDATE`` only locks). Anything else counts as a
#: write, unknown ones included: an extra invalidation costs a cache refill, a missed one a leak.
_READS = ("SELECT", "BEGIN")


class Execution:
    """What :func:`observe` reads of an execution: SQLAlchemy's execution context has the same
    attributes; :mod:`adgate.store.sql.direct` makes one of these."""

    __slots__ = ("_expanded_parameters", "compiled", "compiled_parameters")

    def __init__(self, compiled: Any, parameters: Sequence[Mapping[str, Any]]) -> None:
        self.compiled = compiled
        self.compiled_parameters = parameters
        self._expanded_parameters: Mapping[str, list[str]] = {}


def observe(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _executemany: bool) -> None:
    """The ``before_cursor_execute`` listener: see the module's documentation."""
    verb = statement.lstrip()[:6].upper()
    if verb in _READS:
        if verb == "SELECT" and reading():
            report(_read_tags(context))
        return
    if conn.get_execution_options().get(READ_ONLY):
        raise ReadOnlyError(f"a write inside Database.read(): {statement[:60]!r}")
    info = conn.info
    info[WROTE] = True
    tags = _write_tags(context)
    writes = info.get(WRITES)
    if writes is None:
        info[WRITES] = set(tags)
    else:
        writes |= tags


def watch(engine: Engine) -> None:
    event.listen(engine, "before_cursor_execute", observe)


def _bound(context: Any) -> tuple[Any, Bound] | None:
    compiled = getattr(context, "compiled", None)
    if compiled is None or not hasattr(compiled, "bind_names"):
        return None  # driver SQL, DDL
    rows = context.compiled_parameters or [{}]
    expanded = getattr(context, "_expanded_parameters", {})
    # compiled.statement, not the statement executed: the compiled form may be cached from an
    # equal statement with other values; its parameters by name are this execution's.
    return compiled.statement, Bound(compiled, rows, expanded)


def _read_tags(context: Any) -> Tags:
    found = _bound(context)
    return frozenset({ANY}) if found is None else read_tags(*found)


def _write_tags(context: Any) -> Tags:
    found = _bound(context)
    return frozenset({EVERYTHING}) if found is None else write_tags(*found)
