"""Alembic environment: always run with a connection handed in by ``adgate.store.migrate``."""

from __future__ import annotations

from alembic import context

from adgate.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only adgate.store.migrate drives migrations
    raise RuntimeError("run migrations with `adgate migrate`, which hands alembic a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
