"""Keyset indexes: every snapshot page of an initial sync reads one index range.

`server/pull.py` pages a viewer's reports by `id > after ORDER BY id LIMIT n` under one
of `server/scope.py`'s conditions; each index below puts `id` right after that
condition's equalities, so a page costs the same at 1k and at 100k reports instead of
sorting the whole scope. (The baseline creates the tables from the newest metadata, so
a fresh database already has them: hence `IF NOT EXISTS`.)
"""

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

KEYSET_INDEXES = {
    "ix_reports_unit_id": "unit_id, id",  # a supervisor's unit
    "ix_reports_unit_status_id": "unit_id, status, id",  # an officer's open queue
    "ix_reports_assignee_id": "assignee_id, id",  # an officer's own reports
    "ix_reports_status_id": "status, id",  # validators and coordinators, city-wide
}


def upgrade() -> None:
    for name, columns in KEYSET_INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON reports ({columns})")
