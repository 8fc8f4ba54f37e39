"""Use cases of customer care: call-back tickets and gas-leak reports."""

from __future__ import annotations

from dataclasses import dataclass

from lpg_ussd.application.messages import Messages
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.outbox import OutboxMessage
from lpg_ussd.domain.ticket import Ticket, TicketStatus, TicketTopic


@dataclass(frozen=True, slots=True)
class RequestCallback:
    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages

    async def __call__(self, customer_id: int | None, msisdn: str, topic: TicketTopic) -> Ticket:
        now = self.clock.now()
        ticket = Ticket(None, customer_id, msisdn, topic, False, TicketStatus.OPEN, now)
        async with self.uow() as uow:
            ticket = await uow.tickets.add(ticket)
            await uow.outbox.add(OutboxMessage.sms(msisdn, self.messages.ticket(ticket), now))
            await uow.commit()
        return ticket


@dataclass(frozen=True, slots=True)
class ReportGasLeak:
    """An urgent ticket, the full safety advice to the customer, and an alert to staff."""

    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages
    staff_numbers: tuple[str, ...]

    async def __call__(self, customer_id: int | None, msisdn: str) -> Ticket:
        now = self.clock.now()
        ticket = Ticket(
            None, customer_id, msisdn, TicketTopic.GAS_LEAK, True, TicketStatus.OPEN, now
        )
        async with self.uow() as uow:
            ticket = await uow.tickets.add(ticket)
            await uow.outbox.add(OutboxMessage.sms(msisdn, self.messages.leak_advice(), now))
            alert = self.messages.leak_alert(msisdn, ticket)
            for number in self.staff_numbers:
                await uow.outbox.add(OutboxMessage.sms(number, alert, now))
            await uow.commit()
        return ticket
