"""Alembic environment: runs on the connection handed over by ``confiance.store.migrate``."""

from __future__ import annotations

from alembic import context

from confiance.store.tables import in_metadata, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through the alembic command line
    raise RuntimeError("Run migrations through `confiance init`, which passes a connection.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=in_metadata,
)
with context.begin_transaction():
    context.run_migrations()
