"""Initial schema: customers, catalogue, orders, payments, ledger, tickets, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "customers",
    "cylinder_types",
    "cylinder_prices",
    "orders",
    "payments",
    "ledger_entries",
    "tickets",
    "outbox",
)


def utc_datetime() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def json_document() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def id_column() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    create_customers()
    create_catalogue()
    create_orders()
    create_payments()
    create_ledger_entries()
    create_tickets()
    create_outbox()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)


def create_customers() -> None:
    op.create_table(
        "customers",
        id_column(),
        sa.Column("msisdn", sa.String(16), nullable=False),
        sa.Column("first_name", sa.String(30), nullable=False),
        sa.Column("last_name", sa.String(30), nullable=False),
        sa.Column("town", sa.String(30), nullable=False),
        sa.Column("digital_address", sa.String(12), nullable=True),
        sa.Column("pin_hash", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pin_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("pin_locked_until", utc_datetime(), nullable=True),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("extra", json_document(), nullable=False, server_default="{}"),
        sa.Column("created_at", utc_datetime(), nullable=False, server_default=sa.func.now()),
        sa.Column("verified_at", utc_datetime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("msisdn", name=op.f("uq_customers_msisdn")),
    )
    op.create_index(op.f("ix_customers_status"), "customers", ["status"])


def create_catalogue() -> None:
    op.create_table(
        "cylinder_types",
        id_column(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("size_kg", sa.Integer(), nullable=False),
        sa.Column("material", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cylinder_types")),
        sa.UniqueConstraint("code", name=op.f("uq_cylinder_types_code")),
    )
    op.create_table(
        "cylinder_prices",
        id_column(),
        sa.Column("cylinder_type_id", sa.Integer(), nullable=False),
        sa.Column("deposit_pesewas", sa.Integer(), nullable=False),
        sa.Column("gas_price_pesewas", sa.Integer(), nullable=False),
        sa.Column("effective_from", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cylinder_prices")),
        sa.ForeignKeyConstraint(
            ["cylinder_type_id"],
            ["cylinder_types.id"],
            name=op.f("fk_cylinder_prices_cylinder_type_id_cylinder_types"),
        ),
    )
    op.create_index(
        op.f("ix_cylinder_prices_cylinder_type_id_effective_from"),
        "cylinder_prices",
        ["cylinder_type_id", "effective_from"],
    )


def create_orders() -> None:
    op.create_table(
        "orders",
        id_column(),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("cylinder_type_id", sa.Integer(), nullable=False),
        sa.Column("cylinder_label", sa.String(32), nullable=False),
        sa.Column("deposit_pesewas", sa.Integer(), nullable=False),
        sa.Column("gas_price_pesewas", sa.Integer(), nullable=False),
        sa.Column("payment_method", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("amount_paid_pesewas", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("status_changed_at", utc_datetime(), nullable=False),
        sa.Column("expected_delivery", utc_datetime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("reference", name=op.f("uq_orders_reference")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["cylinder_type_id"],
            ["cylinder_types.id"],
            name=op.f("fk_orders_cylinder_type_id_cylinder_types"),
        ),
    )
    op.create_index(
        op.f("ix_orders_customer_id_created_at"), "orders", ["customer_id", "created_at"]
    )
    op.create_index(op.f("ix_orders_status_created_at"), "orders", ["status", "created_at"])


def create_payments() -> None:
    op.create_table(
        "payments",
        id_column(),
        sa.Column("reference", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("msisdn", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("amount_pesewas", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failure_reason", sa.String(32), nullable=True),
        sa.Column("provider_reference", sa.String(128), nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("updated_at", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payments_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")
        ),
    )
    op.create_index(op.f("ix_payments_status_created_at"), "payments", ["status", "created_at"])
    op.create_index(op.f("ix_payments_order_id"), "payments", ["order_id"])


def create_ledger_entries() -> None:
    op.create_table(
        "ledger_entries",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount_pesewas", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_ledger_entries_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_ledger_entries_payment_id_payments")
        ),
    )
    op.create_index(op.f("ix_ledger_entries_customer_id"), "ledger_entries", ["customer_id"])


def create_tickets() -> None:
    op.create_table(
        "tickets",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("msisdn", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(24), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tickets_customer_id_customers")
        ),
    )
    op.create_index(op.f("ix_tickets_status_created_at"), "tickets", ["status", "created_at"])


def create_outbox() -> None:
    op.create_table(
        "outbox",
        id_column(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", json_document(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", utc_datetime(), nullable=False),
        sa.Column("lease_until", utc_datetime(), nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("sent_at", utc_datetime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        op.f("ix_outbox_status_next_attempt_at"), "outbox", ["status", "next_attempt_at"]
    )
