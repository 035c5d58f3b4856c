"""What a statement reads and what it writes, as *tags*, derived from the statement itself.

The read cache (:mod:`adgate.store.cache`) keeps a value while nothing it depends on was
written. Nobody declares what a read depends on or what a write changes: both are derived here
from the SQLAlchemy Core statements the database executes (:mod:`adgate.store.sql.database`
watches every one), so a new query or a new write is covered the day it is written. The design
and the argument that no dependency can be missed are in ``docs/caching.md``. In short:

- A **table tag** (``"campaigns"``) is written by every write to the table; a read that is not
  keyed depends on it.
- A **key tag** (``("campaigns", "id", "42")``) names the rows of a table whose *keyable*
  column (:func:`adgate.store.keys.keyable`) holds a value. A read whose top-level ``WHERE``
  says ``column = value`` (or ``column IN (…)``) reads only such rows and depends on their key
  tags and on the **column tag** (``"campaigns.id"``). A write bumps, for every keyable column
  of its table, the key tags of the values the rows it changes hold in that column before and
  after it, when the statement proves them; otherwise the column tag, which stands for every
  value.
- A key tag may name a column of those rows too (``("campaigns", "id", "42", "name")``), or
  their number (``(…, "42", "+")``). A keyed read that uses only some of the table's columns
  depends on those of the columns it uses and on the number instead of the plain key tag: an
  ``UPDATE`` bumps the plain key tag and those of the columns it sets, an ``INSERT`` or a
  ``DELETE`` the plain key tag and the number. So renaming a campaign leaves the reads that only
  count its account's active campaigns, or only look up its account, be.
- :data:`ANY` is written by every write: a read whose tables cannot be named depends on it.
  :data:`EVERYTHING`, written by a statement that cannot be analysed (DDL, text), voids every
  value.

Anything not recognised is taken at its widest: a read depends on more, a write writes more.
An extra dependency costs a cache refill; a missing one would serve a revoked token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Column, Table
from sqlalchemy.sql import visitors
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import (
    ColumnClause,
    TextClause,
    _textual_label_reference,
)
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CompoundSelect, Join, ReturnsRows, Select, TableClause, TextualSelect

from adgate.store.keys import Bound, Term, insert_parameter, key_text, keyable, restrictions, terms_of

#: Written by every write: what a read of unknown tables depends on.
ANY = "*"
#: Written by a statement whose effect cannot be named: voids every value.
EVERYTHING = "**"
#: The last element of a key tag that names the number of the rows, not one of their columns.
ROWS = "+"

Tag = Hashable
Tags = frozenset[Tag]

#: The tags read so far by the reads going on in this context (see :func:`collecting`).
_reading: ContextVar[set[Tag] | None] = ContextVar("adgate_reading", default=None)

#: Row sources that are no nested query: a function (``count(*)``) is one, its arguments are not.
_FLAT = (Join, FunctionElement)


@contextlib.contextmanager
def collecting() -> Iterator[set[Tag]]:
    """Collect the tags every read in this block depends on; they count for the enclosing block too.

    Reads report here from the database's statement hook, and cached values (whose reads are
    over) from :meth:`adgate.store.cache.ReadCache.get`; so a value computed in the block
    (the gate's memo entry) depends on what every read it used depended on.
    """
    parent = _reading.get()
    tags: set[Tag] = set()
    token = _reading.set(tags)
    try:
        yield tags
    finally:
        _reading.reset(token)
        if parent is not None:
            parent |= tags


def report(tags: Iterable[Tag]) -> None:
    """A read in this context depended on ``tags``."""
    reading = _reading.get()
    if reading is not None:
        reading.update(tags)


def reading() -> bool:
    return _reading.get() is not None


# --- the schema -----------------------------------------------------------------------------------
#: Tables of a few rows (a deployment's apps): a key naming one of them is a broad one.
_FEW_ROWS = frozenset({"apps", "businesses"})


@cache
def _breadth(table: TableClause, name: str) -> int:
    """How many rows one value of a keyable column may hold, as a rank (0: one row)."""
    column = table.c[name]
    if column.primary_key and sum(1 for c in table.columns if c.primary_key) == 1:
        return 0
    if any(fk.column.table.name in _FEW_ROWS for fk in column.foreign_keys):
        return 3
    return 1 if column.primary_key else 2


@cache
def everything_of(table: TableClause) -> Tags:
    """Every tag of ``table`` (a write to rows it cannot name), and of the tables its deletes cascade to."""
    tags: set[Tag] = {ANY}
    seen: set[TableClause] = set()
    pending = [table]
    while pending:  # transitively, and once per table (foreign keys may form a cycle)
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        tags |= {current.name, *(f"{current.name}.{name}" for name in keyable(current))}
        pending.extend(_cascades_to(current))
    return frozenset(tags)


@cache
def _cascades_to(table: TableClause) -> tuple[Table, ...]:
    """Tables whose rows a delete or key update of ``table`` changes through ``ON DELETE``/``ON UPDATE``."""
    if not isinstance(table, Table) or table.metadata is None:
        return ()
    children = []
    for other in table.metadata.tables.values():
        for fk in other.foreign_keys:
            acts = {(fk.ondelete or "").upper(), (fk.onupdate or "").upper()} - {"", "RESTRICT", "NO ACTION"}
            if acts and fk.column.table is table and other is not table:
                children.append(other)
                break
    return tuple(children)


#: What a statement's structure says, kept per statement object: SQLAlchemy reuses the compiled
#: form (and its statement) of equal statements, so this is worked out once per query shape.
_shapes: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


# --- reads ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Keyed:
    """A table a read may key, with the terms of the ``WHERE`` on its keyable columns."""

    table: TableClause
    terms: tuple[Term, ...]
    #: The key tags a value it is keyed by stands for (see :data:`_WHOLE_ROWS` and :func:`_add_keys`).
    uses: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class _ReadShape:
    #: Tags whatever the values: the tables that cannot be keyed (or ANY).
    fixed: Tags
    keyed: tuple[_Keyed, ...]


def _read_shape(statement: Any) -> _ReadShape:
    if not isinstance(statement, (Select, CompoundSelect)):
        return _ReadShape(frozenset({ANY}), ())
    tables: set[TableClause] = set()
    nested = False  # a subquery, alias, CTE or UNION: its rows are not restricted by the WHERE
    for element in visitors.iterate(statement):
        if isinstance(element, (TextClause, TextualSelect)):
            return _ReadShape(frozenset({ANY}), ())
        if isinstance(element, TableClause):
            tables.add(element)
        elif element is not statement and isinstance(element, ReturnsRows) and not isinstance(element, _FLAT):
            nested = True
    fixed: set[Tag] = set()
    keyed = []
    for table in tables:
        # Each table is named once in the FROM (twice needs an alias): the WHERE's terms on its
        # columns restrict every row of it the result depends on.
        if isinstance(statement, Select) and not nested and (terms := terms_of(statement.whereclause, table)):
            keyed.append(_Keyed(table, terms, _uses(statement, table)))
        else:
            fixed.add(table.name)
    return _ReadShape(frozenset(fixed), tuple(keyed))


#: The parts of a read of whole rows: the plain key tag alone.
_WHOLE_ROWS: tuple[str | None, ...] = (None,)


def _uses(statement: Select[Any], table: TableClause) -> tuple[str | None, ...]:
    """:data:`ROWS` and the columns of ``table`` that ``statement`` names anywhere (its columns,
    ``WHERE``, joins, order); :data:`_WHOLE_ROWS` if that is all of them or cannot be told."""
    named = {column.name for column in statement.selected_columns if _column_of(column, table)}
    for element in visitors.iterate(statement):
        if isinstance(element, _textual_label_reference):
            return _WHOLE_ROWS  # order_by("name"): a column named by text
        if isinstance(element, ColumnClause):
            if _column_of(element, table):
                named.add(element.name)
            elif not isinstance(element, Column) and not (element.is_literal and element.name == "*"):
                return _WHOLE_ROWS  # literal_column("campaigns.name") and the like: by text
    if len(named) == len(table.columns):
        return _WHOLE_ROWS
    return (ROWS, *sorted(str(column) for column in named))


def _column_of(element: Any, table: TableClause) -> bool:
    return isinstance(element, Column) and element.table is table


def read_tags(statement: Any, bound: Bound) -> Tags:
    """What the result of ``statement`` (a ``SELECT``) depends on."""
    shape = _shapes.get(statement)
    if shape is None:
        shape = _shapes[statement] = _read_shape(statement)
    if not shape.keyed:
        return shape.fixed
    tags: set[Tag] = set(shape.fixed)
    for keyed in shape.keyed:
        table = keyed.table
        by_column = restrictions(keyed.terms, bound)
        if not by_column:
            tags.add(table.name)
            continue
        # One restricted column suffices: the rows read all hold one of its values. The narrowest
        # is best (precision only: any of them is correct).
        name, values = min(
            by_column.items(), key=lambda item: (len(item[1]), _breadth(table, item[0]), item[0])
        )
        tags.add(f"{table.name}.{name}")
        _add_keys(tags, table.name, name, values, keyed.uses)
    return frozenset(tags)


def _add_keys(
    tags: set[Tag], table: str, name: str, values: Iterable[str], parts: Sequence[str | None]
) -> None:
    """The key tags of ``values`` of column ``name``: the plain one (None among ``parts``) and
    one naming each other of ``parts`` (a column, or :data:`ROWS`).

    Exact ``str`` in every place (SQLAlchemy's names are ``quoted_name``, a subclass): a tuple of
    exact strings is untracked by the garbage collector, and the generation keeps hundreds of
    thousands of them (a tracked one made every full collection of a busy server last 0.3 s)."""
    table, name = str(table), str(name)
    for value in values:
        tags.update((table, name, value) if part is None else (table, name, value, part) for part in parts)


# --- writes ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _WriteShape:
    table: Table
    #: ANY, the table, and every tag of the tables its foreign keys' actions reach.
    fixed: Tags
    #: The WHERE's terms (UPDATE, DELETE).
    terms: tuple[Term, ...] = ()
    #: Columns an UPDATE sets (their values may change: never keyed).
    sets: frozenset[str] = frozenset()
    #: The key tags a proven value stands for: the plain one (None), and :data:`ROWS` (an INSERT,
    #: a DELETE) or the columns an UPDATE sets.
    parts: tuple[str | None, ...] = (None, ROWS)
    #: INSERT: each keyable column with the name of the parameter its value is in (None: not
    #: given as one) and whether a NULL stays NULL in it; None: nothing can be told.
    inserts: tuple[tuple[str, Column[Any], str | None, bool], ...] | None = None


def _write_shape(statement: Any) -> _WriteShape | None:
    if not isinstance(statement, (Insert, Update, Delete)):
        return None
    table = statement.table
    if not isinstance(table, Table):
        return None
    base = frozenset({ANY, table.name})
    reach = frozenset().union(*(everything_of(child) for child in _cascades_to(table)))
    if isinstance(statement, Insert):
        plain = (
            getattr(statement, "_post_values_clause", _MISSING) is None  # ON CONFLICT: another row
            and not getattr(statement, "_select_names", _MISSING)  # INSERT … SELECT
            and not getattr(statement, "_prefixes", _MISSING)  # OR REPLACE and friends
        )
        given = _set_values(statement) if plain else None
        inserts = None
        if given is not None:
            columns = [(name, table.c[name]) for name in keyable(table)]
            # No .values(): insert(table) executed with rows of parameters named by column key.
            inserts = tuple(
                (
                    name,
                    column,
                    insert_parameter(column, given.get(name)) if given else column.key,
                    _stores_null(column),
                )
                for name, column in columns
            )
        return _WriteShape(table, base, inserts=inserts)
    terms = terms_of(statement.whereclause, table)
    if isinstance(statement, Delete):
        return _WriteShape(table, base | reach, terms)
    given = _set_values(statement)
    if not given:  # unknown or execute-time SET: any column may change
        return _WriteShape(table, base | reach, (), frozenset(keyable(table)))
    referenced = {
        fk.column.name
        for child in _cascades_to(table)
        for fk in child.foreign_keys
        if fk.column.table is table
    }
    fixed = base | reach if referenced & set(given) else base
    sets = frozenset(given) | {
        c.name for c in table.columns if c.onupdate is not None or c.server_onupdate is not None
    }
    return _WriteShape(table, fixed, terms, sets, (None, *sorted(str(column) for column in sets)))


def write_tags(statement: Any, bound: Bound) -> Tags:
    """What ``statement`` (anything but a ``SELECT``) may have changed."""
    found = _shapes.get(statement, _UNSEEN)
    if found is _UNSEEN:
        found = _shapes[statement] = _write_shape(statement)
    if found is None:
        return frozenset({EVERYTHING})
    shape: _WriteShape = found
    table = shape.table
    known = _inserted(shape, bound) if shape.inserts is not None else restrictions(shape.terms, bound)
    tags: set[Tag] = set(shape.fixed)
    for name in keyable(table):
        values = None if name in shape.sets else known.get(name)
        if values is None:
            tags.add(f"{table.name}.{name}")
        else:
            _add_keys(tags, table.name, name, values, shape.parts)
    return frozenset(tags)


#: Not worked out yet (a statement that cannot be analysed has the shape None).
_UNSEEN = object()
#: SQLAlchemy keeps what a DML statement sets in attributes of its own (``_values``,
#: ``_post_values_clause``, …; the lock pins the release, tests/store/test_dependencies.py checks
#: what is read from them): one that is missing is read as "cannot be told", the widest answer.
_MISSING = object()


def _set_values(statement: Insert | Update) -> dict[str, Any] | None:
    """Column name → what the statement sets it to (``.values(…)``); None if it cannot be told."""
    if getattr(statement, "_multi_values", ()) or getattr(statement, "_ordered_values", None):
        return None
    given: Any = getattr(statement, "_values", _MISSING)
    if given is _MISSING:
        return None
    if given is None:
        return {}
    found: dict[str, Any] = {}
    for key, value in given.items():
        name = key if isinstance(key, str) else getattr(key, "name", None)
        if not isinstance(name, str):
            return None
        found[name] = value
    return found


def _inserted(shape: _WriteShape, bound: Bound) -> dict[str, set[str]]:
    """Column → the values the inserted rows hold in it, where the statement says (a NULL the
    column stores gives none: :func:`_stores_null`)."""
    known: dict[str, set[str]] = {}
    if shape.inserts is None:
        return known
    rows = bound.rows
    for name, column, parameter, stores_null in shape.inserts:
        if parameter is None or not rows:
            continue
        keys = set()
        for row in rows:
            value = row.get(parameter, _MISSING)
            if value is None and stores_null:
                continue
            key = None if value is _MISSING else key_text(column, value)
            if key is None:
                break  # not given, or not a value a key can be told of
            keys.add(key)
        else:
            known[name] = keys
    return known


def _stores_null(column: Column[Any]) -> bool:
    """An inserted NULL in ``column`` stays NULL, which no read keyed on the column selects (a
    key is a value compared with ``=`` or ``IN``, never NULL: :func:`adgate.store.keys.key_text`):
    such a row needs no tag of that column, not even the column's own "some value" tag. Not for
    a primary key, where SQLite makes an ``INTEGER PRIMARY KEY``'s NULL a new row id."""
    return bool(column.nullable) and not column.primary_key
