"""In-memory fakes of the back office's repositories, on the same snapshots as tests.fakes."""

from __future__ import annotations

from collections import defaultdict
from copy import deepcopy
from dataclasses import replace
from datetime import date
from typing import Any

from lpg_ussd.application.ports import DayCount, NetworkPayments
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.audit import AuditEntry
from lpg_ussd.domain.errors import AlreadyExists, NotFound
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import StaffUser
from lpg_ussd.domain.ticket import Ticket, TicketStatus

BACK_OFFICE_TABLES = ("staff_users", "audit_log", "api_keys")


class InMemoryTicketRepository:
    def __init__(self, snapshot: Any) -> None:
        self._rows = snapshot

    async def add(self, ticket: Ticket) -> Ticket:
        row_id = self._rows.insert("tickets", lambda new_id: replace(ticket, id=new_id))
        return replace(ticket, id=row_id)

    async def get(self, ticket_id: int) -> Ticket | None:
        found: Ticket | None = self._rows.get("tickets", ticket_id)
        return found

    async def update(self, ticket: Ticket) -> None:
        self._rows.replace_existing("tickets", ticket.id, ticket, f"ticket {ticket.id}")

    async def list_open(self, limit: int = 50) -> list[Ticket]:
        """Urgent tickets first, then the longest waiting."""
        open_ = [t for t in self._rows.rows("tickets") if t.status is TicketStatus.OPEN]
        return deepcopy(sorted(open_, key=lambda t: (not t.urgent, t.created_at, t.id))[:limit])

    async def list_for_customer(self, customer_id: int, limit: int = 20) -> list[Ticket]:
        own = [t for t in self._rows.rows("tickets") if t.customer_id == customer_id]
        return deepcopy(sorted(own, key=lambda t: (t.created_at, t.id), reverse=True)[:limit])

    async def list_resolved(self, limit: int = 50) -> list[Ticket]:
        done = [t for t in self._rows.rows("tickets") if t.status is TicketStatus.RESOLVED]
        return deepcopy(sorted(done, key=lambda t: (t.resolved_at, t.id), reverse=True)[:limit])


class InMemoryStaffRepository:
    def __init__(self, snapshot: Any) -> None:
        self._rows = snapshot

    async def add(self, user: StaffUser) -> StaffUser:
        if any(u.username == user.username for u in self._rows.latest_rows("staff_users")):
            raise AlreadyExists("uq_staff_users_username")
        row_id = self._rows.insert("staff_users", lambda new_id: replace(user, id=new_id))
        return replace(user, id=row_id)

    async def get(self, user_id: int) -> StaffUser | None:
        found: StaffUser | None = self._rows.get("staff_users", user_id)
        return found

    async def get_by_username(self, username: str) -> StaffUser | None:
        found = [u for u in self._rows.rows("staff_users") if u.username == username]
        return deepcopy(found[0]) if found else None

    async def update(self, user: StaffUser) -> None:
        self._rows.replace_existing("staff_users", user.id, user, f"staff {user.id}")

    async def count(self) -> int:
        return len(self._rows.rows("staff_users"))

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self) -> list[StaffUser]:
        return deepcopy(sorted(self._rows.rows("staff_users"), key=lambda u: u.username))


class InMemoryAuditLog:
    def __init__(self, snapshot: Any) -> None:
        self._rows = snapshot

    async def add(self, entry: AuditEntry) -> None:
        self._rows.insert("audit_log", lambda new_id: replace(entry, id=new_id))

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(
        self, actor: str | None = None, subject: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        found = [
            e
            for e in self._rows.rows("audit_log")
            if (actor is None or e.actor == actor) and (subject is None or e.subject == subject)
        ]
        return deepcopy(sorted(found, key=lambda e: (e.at, e.id), reverse=True)[:limit])


class InMemoryApiKeyRepository:
    def __init__(self, snapshot: Any) -> None:
        self._rows = snapshot

    async def add(self, key: ApiKey) -> ApiKey:
        if any(k.prefix == key.prefix for k in self._rows.latest_rows("api_keys")):
            raise AlreadyExists("uq_api_keys_prefix")
        row_id = self._rows.insert("api_keys", lambda new_id: replace(key, id=new_id))
        return replace(key, id=row_id)

    async def get_by_prefix(self, prefix: str) -> ApiKey | None:
        found = [k for k in self._rows.rows("api_keys") if k.prefix == prefix]
        return deepcopy(found[0]) if found else None

    async def update(self, key: ApiKey) -> None:
        if key.id is None:
            raise NotFound("api key")
        self._rows.replace_existing("api_keys", key.id, key, f"api key {key.id}")

    # Kept last: below it, `list[...]` in this class would name the method.
    async def list(self) -> list[ApiKey]:
        keys = self._rows.rows("api_keys")
        return deepcopy(sorted(keys, key=lambda k: (k.created_at, k.id), reverse=True))


class InMemoryFiguresRepository:
    def __init__(self, snapshot: Any) -> None:
        self._rows = snapshot

    @staticmethod
    def _per_day(items: list[tuple[date, int]], since: date) -> list[DayCount]:
        counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for day, amount in items:
            if day >= since:
                counts[day][0] += 1
                counts[day][1] += amount
        return [DayCount(day, n, Money(total)) for day, (n, total) in sorted(counts.items())]

    async def registrations_per_day(self, since: date) -> list[DayCount]:
        rows = self._rows.rows("customers")
        return self._per_day([(c.created_at.date(), 0) for c in rows if c.created_at], since)

    async def orders_per_day(self, since: date) -> list[DayCount]:
        rows = self._rows.rows("orders")
        return self._per_day([(o.created_at.date(), o.total.pesewas) for o in rows], since)

    async def revenue_per_day(self, since: date) -> list[DayCount]:
        paid = [
            (p.updated_at.date(), p.amount.pesewas)
            for p in self._rows.rows("payments")
            if p.status is PaymentStatus.SUCCESSFUL
        ]
        return self._per_day(paid, since)

    async def payments_by_network(self, since: date) -> list[NetworkPayments]:
        counts: dict[tuple[str, PaymentStatus], int] = defaultdict(int)
        for p in self._rows.rows("payments"):
            if p.created_at.date() >= since:
                counts[(p.network, p.status)] += 1
        return [NetworkPayments(n, s, c) for (n, s), c in sorted(counts.items())]
