"""Seed the default catalogue: steel 3, 6 and 12 kg, composite 6 and 12 kg.

Gas is about GHS 14 a kilo; prices run from 2026-01-01 until staff change them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-01
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EFFECTIVE_FROM = datetime(2026, 1, 1, tzinfo=UTC)

# code, size_kg, material, sort_order, deposit_pesewas, gas_price_pesewas
CATALOGUE = (
    ("3kg-steel", 3, "steel", 10, 10000, 4200),
    ("6kg-steel", 6, "steel", 20, 15000, 8400),
    ("12kg-steel", 12, "steel", 40, 25000, 16800),
    ("6kg-composite", 6, "composite", 30, 30000, 8400),
    ("12kg-composite", 12, "composite", 50, 45000, 16800),
)
CODES = [code for code, *_ in CATALOGUE]

# Frozen copies of the tables as they were at this revision, not the application's.
cylinder_types = sa.table(
    "cylinder_types",
    sa.column("id", sa.Integer()),
    sa.column("code", sa.String()),
    sa.column("size_kg", sa.Integer()),
    sa.column("material", sa.String()),
    sa.column("active", sa.Boolean()),
    sa.column("sort_order", sa.Integer()),
)
cylinder_prices = sa.table(
    "cylinder_prices",
    sa.column("cylinder_type_id", sa.Integer()),
    sa.column("deposit_pesewas", sa.Integer()),
    sa.column("gas_price_pesewas", sa.Integer()),
    sa.column("effective_from", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # Ids come from the database, so PostgreSQL's sequences stay in step with the rows.
    op.bulk_insert(
        cylinder_types,
        [
            {
                "code": code,
                "size_kg": size,
                "material": material,
                "active": True,
                "sort_order": order,
            }
            for code, size, material, order, _, _ in CATALOGUE
        ],
    )
    rows = op.get_bind().execute(
        sa.select(cylinder_types.c.code, cylinder_types.c.id).where(
            cylinder_types.c.code.in_(CODES)
        )
    )
    ids = {code: type_id for code, type_id in rows}
    op.bulk_insert(
        cylinder_prices,
        [
            {
                "cylinder_type_id": ids[code],
                "deposit_pesewas": deposit,
                "gas_price_pesewas": gas,
                "effective_from": EFFECTIVE_FROM,
            }
            for code, _, _, _, deposit, gas in CATALOGUE
        ],
    )


def downgrade() -> None:
    seeded = sa.select(cylinder_types.c.id).where(cylinder_types.c.code.in_(CODES))
    op.execute(cylinder_prices.delete().where(cylinder_prices.c.cylinder_type_id.in_(seeded)))
    op.execute(cylinder_types.delete().where(cylinder_types.c.code.in_(CODES)))
