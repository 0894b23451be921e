"""Alembic's script directory for the central database (`server/migrations.py`).

`env.py` runs the revisions of `versions/` on the connection `server.migrations` hands
it, inside that caller's transaction. A new schema change is a new module in
`versions/` whose `down_revision` is the current head (see docs/server.md).
"""
