"""Counters of how USSD sessions end, by day, gateway, status and last screen.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_outcomes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("screen", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "gateway", "status", "screen", name=op.f("pk_session_outcomes")
        ),
    )


def downgrade() -> None:
    op.drop_table("session_outcomes")
