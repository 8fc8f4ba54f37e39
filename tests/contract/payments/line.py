"""The payment use cases wired with a real provider adapter and in-memory storage.

So a contract test can go the whole way: a pending payment, the adapter talking to the local
fake provider, ConfirmPayment / SendPaymentRequest / SweepPendingPayments settling it.
"""

from __future__ import annotations

from datetime import timedelta

from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.payments import (
    ConfirmPayment,
    SendPaymentRequest,
    SweepPendingPayments,
)
from lpg_ussd.application.ports import PaymentGateway
from lpg_ussd.application.ussd.texts import load_texts
from lpg_ussd.domain.ledger import LedgerEntry
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.payment import Payment, PaymentPurpose, PaymentStatus, new_payment_reference
from tests.fakes import FixedClock, InMemoryDatabase, InMemoryUnitOfWorkFactory

PHONE = "+233244000001"
CUSTOMER_ID = 1
PAYER_NAME = "Demo Gas"


class PaymentsLine:
    def __init__(self, gateway: PaymentGateway, clock: FixedClock | None = None) -> None:
        self.gateway = gateway
        self.clock = clock or FixedClock()
        self.db = InMemoryDatabase(self.clock)
        self.uow = InMemoryUnitOfWorkFactory(self.db)
        brand = Brand(
            company="Demo Gas",
            care_number="0302000000",
            emergency_number="0302000999",
            service_code="*384*303#",
        )
        self.messages = Messages(load_texts("en"), brand)
        providers = ConfiguredPaymentProviders({gateway.name: gateway}, default=gateway.name)
        self.confirm = ConfirmPayment(self.uow, self.clock, providers, self.messages)
        self.send_request = SendPaymentRequest(
            self.uow, self.clock, providers, self.messages, PAYER_NAME
        )
        self.sweep = SweepPendingPayments(self.uow, self.clock, self.confirm)

    async def pending_topup(
        self, cedis: int = 50, network: str = "mtn", phone: str = PHONE, pesewas: int = 0
    ) -> Payment:
        """A top-up written as pending, as TopUpWallet writes it before calling out."""
        now = self.clock.now()
        payment = Payment(
            id=None,
            reference=new_payment_reference(),
            customer_id=CUSTOMER_ID,
            msisdn=Msisdn(phone),
            purpose=PaymentPurpose.TOPUP,
            order_id=None,
            amount=Money(cedis * 100 + pesewas),
            network=network,
            provider=self.gateway.name,
            status=PaymentStatus.PENDING,
            created_at=now,
            updated_at=now,
        )
        async with self.uow() as uow:
            stored = await uow.payments.add(payment)
            await uow.commit()
        return stored

    def later(self, minutes: int = 6) -> None:
        """Past the sweep's five minutes."""
        self.clock.advance(timedelta(minutes=minutes))

    def payment(self, reference: str) -> Payment:
        found: list[Payment] = [p for p in self.db.rows("payments") if p.reference == reference]
        (payment,) = found
        return payment

    def ledger(self) -> list[LedgerEntry]:
        return self.db.rows("ledger_entries")

    def wallet(self) -> Money:
        return Money(sum(e.amount.pesewas for e in self.ledger() if e.customer_id == CUSTOMER_ID))

    def sms(self) -> list[str]:
        return [record.message.payload["text"] for record in self.db.rows("outbox")]
