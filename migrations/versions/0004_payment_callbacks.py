"""Every callback of a payment provider, whatever became of it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("provider_reference", sa.String(128), nullable=True),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_callbacks")),
    )
    op.create_index(op.f("ix_payment_callbacks_reference"), "payment_callbacks", ["reference"])
    op.create_index(op.f("ix_payment_callbacks_received_at"), "payment_callbacks", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_callbacks_received_at"), table_name="payment_callbacks")
    op.drop_index(op.f("ix_payment_callbacks_reference"), table_name="payment_callbacks")
    op.drop_table("payment_callbacks")
