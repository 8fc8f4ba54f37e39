"""Customer-care tickets as staff work them: gas leaks first, assign, resolve."""

from __future__ import annotations

from dataclasses import dataclass

from lpg_ussd.application.audit import record
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.errors import NotFound
from lpg_ussd.domain.ticket import Ticket, TicketStatus


@dataclass(frozen=True, slots=True)
class ListTickets:
    uow: UnitOfWorkFactory

    async def __call__(
        self, status: TicketStatus = TicketStatus.OPEN, limit: int = 50
    ) -> list[Ticket]:
        """Open ones with the urgent first, or the latest resolved."""
        async with self.uow(read_only=True) as uow:
            if status is TicketStatus.OPEN:
                return await uow.tickets.list_open(limit=limit)
            return await uow.tickets.list_resolved(limit=limit)


@dataclass(frozen=True, slots=True)
class AssignTicket:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, ticket_id: int, assignee: str, *, actor: str) -> Ticket:
        async with self.uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id}")
            if assignee and await uow.staff.get_by_username(assignee) is None:
                raise NotFound(assignee)
            ticket.assign(assignee)
            await uow.tickets.update(ticket)
            await record(uow, actor, "ticket.assign", ticket.number, self.clock.now(), assignee)
            await uow.commit()
        return ticket


@dataclass(frozen=True, slots=True)
class ResolveTicket:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, ticket_id: int, *, actor: str, note: str = "") -> Ticket:
        now = self.clock.now()
        async with self.uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id}")
            ticket.resolve(now)
            await uow.tickets.update(ticket)
            await record(uow, actor, "ticket.resolve", ticket.number, now, note[:200])
            await uow.commit()
        return ticket
