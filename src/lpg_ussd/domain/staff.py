"""The company's staff: who they are, what their role lets them do, and sign-in lock-out.

Permissions are the words both a staff role and an API key's scopes are made of, so a
route asks for one permission whoever calls it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lpg_ussd.domain.errors import InvalidValue

SIGN_IN_ATTEMPTS = 5
SIGN_IN_LOCK = timedelta(minutes=15)
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


class Permission(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"  # verify, reject, unlock a PIN
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"  # move through the statuses, cancel with refund
    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"  # assign, resolve
    CATALOGUE_READ = "catalogue:read"
    CATALOGUE_WRITE = "catalogue:write"  # prices, cylinder types on or off sale
    PAYMENTS_READ = "payments:read"
    PAYMENTS_WRITE = "payments:write"  # re-check with the provider
    FIGURES_READ = "figures:read"  # the dashboard
    AUDIT_READ = "audit:read"
    STAFF_ADMIN = "staff:admin"  # staff accounts and API keys


class Role(StrEnum):
    AGENT = "agent"  # customer care: customers and tickets
    DISPATCHER = "dispatcher"  # orders on the road
    ADMIN = "admin"  # everything, and who may do what

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self]


_READ_ALL = frozenset(
    {
        Permission.CUSTOMERS_READ,
        Permission.ORDERS_READ,
        Permission.TICKETS_READ,
        Permission.CATALOGUE_READ,
        Permission.PAYMENTS_READ,
        Permission.FIGURES_READ,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: _READ_ALL
    | {Permission.CUSTOMERS_WRITE, Permission.TICKETS_WRITE, Permission.PAYMENTS_WRITE},
    Role.DISPATCHER: _READ_ALL | {Permission.ORDERS_WRITE},
    Role.ADMIN: frozenset(Permission),
}


def parse_username(text: str) -> str:
    name = text.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidValue("username")
    return name


def check_password(password: str) -> str:
    """A password staff may choose: long enough to resist guessing, not absurdly long."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidValue("password_length")
    if len(set(password)) < 4:
        raise InvalidValue("password_weak")
    return password


@dataclass(slots=True)
class StaffUser:
    id: int | None
    username: str
    display_name: str
    role: Role
    password_hash: str
    created_at: datetime
    active: bool = True
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    last_sign_in_at: datetime | None = None

    def can(self, permission: Permission) -> bool:
        return self.active and permission in self.role.permissions

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def sign_in_failed(self, now: datetime) -> None:
        """One more wrong password; the account locks for a while after too many."""
        self.failed_sign_ins += 1
        if self.failed_sign_ins >= SIGN_IN_ATTEMPTS:
            self.locked_until = now + SIGN_IN_LOCK
            self.failed_sign_ins = 0

    def signed_in(self, now: datetime) -> None:
        self.failed_sign_ins = 0
        self.locked_until = None
        self.last_sign_in_at = now
