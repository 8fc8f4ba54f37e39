"""The schema as SQLAlchemy Core tables. Money is integer pesewas; times are UTC.

Migrations in `migrations/versions/` create these tables explicitly; a test checks that the
migrated schema and this metadata agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
    func,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

# Predictable constraint names, so a unique violation can be told apart and named.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no zone: values are written as UTC and read back marked UTC. PostgreSQL
    answers in the session's zone, so values are converted back to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time is ambiguous; storing it would shift it silently on read.
            raise ValueError(f"naive datetime {value!r}: the domain uses aware UTC times")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json() -> Any:
    return JSON().with_variant(JSONB(), "postgresql")


customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("msisdn", String(16), nullable=False, unique=True),
    Column("first_name", String(30), nullable=False),
    Column("last_name", String(30), nullable=False),
    Column("town", String(30), nullable=False),
    Column("digital_address", String(12), nullable=True),
    Column("pin_hash", String(255), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("pin_failures", Integer, nullable=False, server_default="0"),
    Column("pin_locked_until", UtcDateTime, nullable=True),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("extra", _json(), nullable=False, server_default="{}"),
    Column("created_at", UtcDateTime, nullable=False, server_default=func.now()),
    Column("verified_at", UtcDateTime, nullable=True),
)

cylinder_types = Table(
    "cylinder_types",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("size_kg", Integer, nullable=False),
    Column("material", String(16), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("sort_order", Integer, nullable=False, server_default="0"),
)

cylinder_prices = Table(
    "cylinder_prices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cylinder_type_id", ForeignKey("cylinder_types.id"), nullable=False),
    Column("deposit_pesewas", Integer, nullable=False),
    Column("gas_price_pesewas", Integer, nullable=False),
    Column("effective_from", UtcDateTime, nullable=False),
    Index(None, "cylinder_type_id", "effective_from"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("cylinder_type_id", ForeignKey("cylinder_types.id"), nullable=False),
    Column("cylinder_label", String(32), nullable=False),
    Column("deposit_pesewas", Integer, nullable=False),
    Column("gas_price_pesewas", Integer, nullable=False),
    Column("payment_method", String(16), nullable=False),
    Column("status", String(24), nullable=False),
    Column("amount_paid_pesewas", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status_changed_at", UtcDateTime, nullable=False),
    Column("expected_delivery", UtcDateTime, nullable=True),
    Index(None, "customer_id", "created_at"),
    Index(None, "status", "created_at"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(36), nullable=False, unique=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("msisdn", String(16), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("order_id", ForeignKey("orders.id"), nullable=True, index=True),
    Column("amount_pesewas", Integer, nullable=False),
    Column("network", String(16), nullable=False),
    Column("provider", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("failure_reason", String(32), nullable=True),
    Column("provider_reference", String(128), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "status", "created_at"),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("amount_pesewas", Integer, nullable=False),  # signed: credits are positive
    Column("kind", String(24), nullable=False),
    Column("order_id", ForeignKey("orders.id"), nullable=True),
    Column("payment_id", ForeignKey("payments.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=True),
    Column("msisdn", String(16), nullable=False),
    Column("topic", String(24), nullable=False),
    Column("urgent", Boolean, nullable=False, server_default=false()),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("assigned_to", String(32), nullable=True),
    Column("resolved_at", UtcDateTime, nullable=True),
    Index(None, "status", "created_at"),
    Index(None, "customer_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload", _json(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Index(None, "status", "next_attempt_at"),
)

# How USSD sessions ended, one counter per day, gateway, status and last screen (drop-off).
session_outcomes = Table(
    "session_outcomes",
    metadata,
    Column("day", Date, primary_key=True),
    Column("gateway", String(16), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("screen", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
)

# Every callback a payment provider posted, whatever became of it (an audit trail).
payment_callbacks = Table(
    "payment_callbacks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider", String(32), nullable=False),
    Column("reference", String(64), nullable=True, index=True),
    Column("provider_reference", String(128), nullable=True),
    Column("trusted", Boolean, nullable=False),
    Column("outcome", String(24), nullable=False),
    Column("received_at", UtcDateTime, nullable=False, index=True),
)

# The company's staff, who sign in to the console.
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_sign_in_at", UtcDateTime, nullable=True),
)

# Every staff action: who, what, on what, when.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor", String(64), nullable=False, index=True),
    Column("action", String(48), nullable=False),
    Column("subject", String(64), nullable=False, index=True),
    Column("detail", Text, nullable=False, server_default=""),
    Column("at", UtcDateTime, nullable=False, index=True),
)

# Keys of the company's other systems; only a hash of each key is kept.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False),
    Column("prefix", String(8), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated permissions
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)
