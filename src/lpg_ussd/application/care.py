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

    async def __call__(
        self, customer_id: int | None, msisdn: str, topic: TicketTopic, language: str | None = None
    ) -> Ticket:
        now = self.clock.now()
        ticket = Ticket(None, customer_id, msisdn, topic, False, TicketStatus.OPEN, now)
        async with self.uow() as uow:
            ticket = await uow.tickets.add(ticket)
            text = self.messages.speaking(language).ticket(ticket)
            await uow.outbox.add(OutboxMessage.sms(msisdn, text, now))
            await uow.commit()
        return ticket


@dataclass(frozen=True, slots=True)
class ReportGasLeak:
    """An urgent ticket, the full safety advice to the customer, and an alert to staff."""

    uow: UnitOfWorkFactory
    clock: Clock
    messages: Messages
    staff_numbers: tuple[str, ...]

    async def __call__(
        self, customer_id: int | None, msisdn: str, language: str | None = None
    ) -> Ticket:
        now = self.clock.now()
        ticket = Ticket(
            None, customer_id, msisdn, TicketTopic.GAS_LEAK, True, TicketStatus.OPEN, now
        )
        async with self.uow() as uow:
            ticket = await uow.tickets.add(ticket)
            advice = self.messages.speaking(language).leak_advice()
            await uow.outbox.add(OutboxMessage.sms(msisdn, advice, now))
            alert = self.messages.leak_alert(msisdn, ticket)  # staff read the line's default
            for number in self.staff_numbers:
                await uow.outbox.add(OutboxMessage.sms(number, alert, now))
            await uow.commit()
        return ticket
