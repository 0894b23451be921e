"""Alembic's environment: run the revisions on the caller's connection and transaction.

Only `server.migrations` drives Alembic (`command.upgrade` / `command.stamp` with the
connection in `config.attributes`); the `alembic` command line is not used.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
