"""Cylinder types on sale and their prices, which change from a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lpg_ussd.domain.money import Money


class Material(StrEnum):
    STEEL = "steel"
    COMPOSITE = "composite"


@dataclass(frozen=True, slots=True)
class CylinderType:
    """A cylinder on sale with the price in force now."""

    id: int
    code: str
    size_kg: int
    material: Material
    deposit: Money
    gas_price: Money
    active: bool = True

    @property
    def label(self) -> str:
        return f"{self.size_kg}kg {self.material.value}"

    @property
    def deposit_total(self) -> Money:
        """A new cylinder: its refundable deposit plus the first gas."""
        return self.deposit + self.gas_price


@dataclass(frozen=True, slots=True)
class PriceChange:
    cylinder_type_id: int
    deposit: Money
    gas_price: Money
    effective_from: datetime
