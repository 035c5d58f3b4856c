"""Which columns key a table's rows, and the values a statement's execution restricts them to.

:mod:`adgate.store.dependencies` names the rows a statement reads or writes by these: a column
is *keyable* (:func:`keyable`) when reads may be keyed by it and its values compare alike on
SQLite and PostgreSQL; :func:`terms_of` finds the top-level ``WHERE`` terms on such columns once
per statement shape, and :func:`restrictions` reads their values from one execution's
parameters (:class:`Bound`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, SmallInteger, String, Table, Text
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    Grouping,
    _anonymous_label,
)
from sqlalchemy.sql.selectable import TableClause

#: Column types whose values compare as the same text on SQLite and PostgreSQL (``VARCHAR``,
#: ``TEXT``, ``INTEGER``): others (booleans, JSON, enums, decorated types) are never keys.
_KEY_TYPES = (String, Text, Integer, BigInteger, SmallInteger)


@cache
def keyable(table: TableClause) -> tuple[str, ...]:
    """The columns of ``table`` reads may be keyed by: its primary key's, foreign keys' and indexed
    ones, of a type whose values compare as text (:data:`_KEY_TYPES`)."""
    if not isinstance(table, Table):
        return ()
    indexed = {next(iter(index.columns)).name for index in table.indexes if index.columns}
    names = []
    for column in table.columns:
        wanted = column.primary_key or column.foreign_keys or column.index or column.unique
        if (wanted or column.name in indexed) and _key_type(column):
            names.append(str(column.name))  # exact str: see dependencies._add_keys
    return tuple(names)


def _key_type(column: Column[Any]) -> bool:
    return type(column.type) in _KEY_TYPES


def key_text(column: Column[Any], value: Any) -> str | None:
    """``value`` as it is compared in ``column``, as the text of a key; None if that is not sure."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and isinstance(column.type, String):
        return value
    return None


class Bound:
    """The values of a compiled statement's bound parameters, one mapping per row executed."""

    def __init__(
        self, compiled: Any, rows: Sequence[Mapping[str, Any]], expanded: Mapping[str, list[str]]
    ) -> None:
        self.names: Mapping[BindParameter[Any], str] = getattr(compiled, "bind_names", {})
        self.rows = rows
        self.expanded = expanded

    def values(self, bind: BindParameter[Any]) -> list[Any] | None:
        """Every value ``bind`` takes over the rows, flattened (``IN`` lists); None if unknown."""
        name = self.names.get(bind)
        if name is None or not self.rows:
            return None
        found: list[Any] = []
        for row in self.rows:
            if name in row:
                value = row[name]
                if bind.expanding:
                    if not isinstance(value, (list, tuple)):
                        return None
                    found.extend(value)
                else:
                    found.append(value)
            elif name in self.expanded:
                found.extend(row[n] for n in self.expanded[name] if n in row)
                if any(n not in row for n in self.expanded[name]):
                    return None
            else:
                return None
        return found


def insert_parameter(column: Column[Any], element: Any) -> str | None:
    """The name of the parameter holding what an ``INSERT``'s ``.values()`` give ``column``
    (``element``); None if it is not a parameter (a SQL expression, a default) or cannot be told."""
    if not isinstance(element, BindParameter):
        return None
    if isinstance(element.key, _anonymous_label):
        return column.key  # a plain value: SQLAlchemy names its parameter after the column
    if not element.unique:
        return element.key  # bindparam("name")
    return None


def _conjuncts(clause: Any) -> Iterator[Any]:
    """The terms of a top-level ``AND`` (the whole clause if it is none)."""
    while isinstance(clause, Grouping):
        clause = clause.element
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for term in clause.clauses:
            yield from _conjuncts(term)
    elif clause is not None:
        yield clause


#: A term of a top-level ``AND``: ``column = :bind`` or ``column IN :bind``.
Term = tuple[Column[Any], BindParameter[Any]]


def terms_of(where: Any, table: TableClause) -> tuple[Term, ...]:
    """The terms of ``where`` restricting a keyable column of ``table`` to bound values."""
    found: list[Term] = []
    names = set(keyable(table))
    for term in _conjuncts(where):
        if not isinstance(term, BinaryExpression) or term.operator not in (operators.eq, operators.in_op):
            continue
        column, bind = term.left, term.right
        if term.operator is operators.eq and isinstance(column, BindParameter):
            column, bind = bind, column
        if not (isinstance(column, Column) and isinstance(bind, BindParameter)):
            continue
        if column.table is table and column.name in names:
            found.append((column, bind))
    return tuple(found)


def restrictions(terms: tuple[Term, ...], bound: Bound) -> dict[str, set[str]]:
    """Column → the values ``terms`` restrict it to in this execution."""
    found: dict[str, set[str]] = {}
    for column, bind in terms:
        values = bound.values(bind)
        if values is None:
            continue
        keys = {key_text(column, v) for v in values}
        if None in keys:
            continue
        allowed = {k for k in keys if k is not None}
        found[column.name] = found[column.name] & allowed if column.name in found else allowed
    return found
