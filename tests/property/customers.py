"""Fresh registered customers for examples, written a batch at a time.

Registering through the dialogue costs nine hops an example; the examples need a customer
nobody else touched (a PIN lock or an order would leak into the next example), not another
walk through registration, which the acceptance tests and the `new` examples cover.
"""

from __future__ import annotations

from lpg_ussd.domain.customer import Customer, DigitalAddress
from lpg_ussd.domain.msisdn import Msisdn
from tests.acceptance.harness import Harness
from tests.property.strategies import Numbers

PIN = "4826"
FIRST_NAME = "Ama"
BATCH = 64


class Customers:
    """`next()`: the number of a customer registered (and verified, unless told not) for
    this example alone."""

    def __init__(self, line: Harness, numbers: Numbers, verified: bool = True) -> None:
        self.line = line
        self.numbers = numbers
        self.verified = verified
        self._ready: list[str] = []

    def next(self) -> str:
        if not self._ready:
            self._ready = [self.numbers.next() for _ in range(BATCH)]
            self.line.client  # noqa: B018 - starts the app outside the event loop, if not yet
            self.line.run(self._register(self._ready))
        return self._ready.pop()

    async def _register(self, numbers: list[str]) -> None:
        container = self.line.container
        pin_hash = await container.pin_hasher().hash(PIN)
        now = container.clock().now()
        async with container.uow()() as uow:
            for number in numbers:
                customer = Customer(
                    id=None,
                    msisdn=Msisdn(number),
                    first_name=FIRST_NAME,
                    last_name="Mensah",
                    town="Accra",
                    digital_address=DigitalAddress("GA-183-8164"),
                    pin_hash=pin_hash,
                    created_at=now,
                )
                if self.verified:
                    customer.verify(now)
                await uow.customers.add(customer)
            await uow.commit()
