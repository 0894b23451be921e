"""Baseline: the schema of the home-grown migrations 1-6 (`server/legacy_migrations.py`).

A database an older server left at version 6 is stamped with this revision instead.
"""

from alembic import op

from server.legacy_migrations import apply_all

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    apply_all(op.get_bind())
