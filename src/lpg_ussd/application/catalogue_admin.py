"""The catalogue as staff keep it: cylinder types on sale, and prices from a date on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lpg_ussd.application.audit import record
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.catalogue import CylinderType, PriceChange
from lpg_ussd.domain.errors import InvalidValue, NotFound
from lpg_ussd.domain.money import Money

# A price takes effect between these; anything else is a typing slip (and some would not
# even convert to UTC).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CatalogueView:
    cylinders: list[CylinderType]  # every type, with the price in force now
    upcoming: list[PriceChange]  # changes that take effect later


@dataclass(frozen=True, slots=True)
class ViewCatalogue:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self) -> CatalogueView:
        now = self.clock.now()
        async with self.uow(read_only=True) as uow:
            return CatalogueView(
                await uow.catalogue.list_all(now), await uow.catalogue.list_price_changes(now)
            )


@dataclass(frozen=True, slots=True)
class ChangePrice:
    """A new deposit and gas price for a cylinder type from `effective_from` on (now when
    None). Customers see it within the catalogue's short cache of each server."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(
        self,
        cylinder_type_id: int,
        deposit: Money,
        gas_price: Money,
        effective_from: datetime | None = None,
        *,
        actor: str,
    ) -> PriceChange:
        now = self.clock.now()
        if deposit.pesewas <= 0 or gas_price.pesewas <= 0:
            raise InvalidValue("price")
        if deposit.pesewas > 10_000_000 or gas_price.pesewas > 10_000_000:
            raise InvalidValue("price")
        when = effective_from or now
        if when.tzinfo is None or not EARLIEST <= when <= LATEST:
            raise InvalidValue("effective_from")
        change = PriceChange(cylinder_type_id, deposit, gas_price, when)
        async with self.uow() as uow:
            if not any(c.id == cylinder_type_id for c in await uow.catalogue.list_all(now)):
                raise NotFound(f"cylinder type {cylinder_type_id}")
            await uow.catalogue.add_price(change)
            detail = f"deposit {deposit.pesewas} gas {gas_price.pesewas} from {when.isoformat()}"
            await record(uow, actor, "price.change", f"cylinder:{cylinder_type_id}", now, detail)
            await uow.commit()
        return change


@dataclass(frozen=True, slots=True)
class SetCylinderOnSale:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, cylinder_type_id: int, on_sale: bool, *, actor: str) -> None:
        async with self.uow() as uow:
            await uow.catalogue.set_active(cylinder_type_id, on_sale)
            action = "cylinder.on_sale" if on_sale else "cylinder.off_sale"
            subject = f"cylinder:{cylinder_type_id}"
            await record(uow, actor, action, subject, self.clock.now())
            await uow.commit()
