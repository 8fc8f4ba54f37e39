"""Money is exact: integer pesewas inside, `GHS 12.50` outside."""

from __future__ import annotations

from dataclasses import dataclass

from lpg_ussd.domain.errors import InvalidValue

PESEWAS_PER_CEDI = 100


@dataclass(frozen=True, order=True, slots=True)
class Money:
    pesewas: int

    def __post_init__(self) -> None:
        if not isinstance(self.pesewas, int) or isinstance(self.pesewas, bool):
            raise TypeError("Money is counted in whole pesewas")

    @classmethod
    def cedis(cls, amount: int) -> Money:
        return cls(amount * PESEWAS_PER_CEDI)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __add__(self, other: Money) -> Money:
        return Money(self.pesewas + other.pesewas)

    def __sub__(self, other: Money) -> Money:
        return Money(self.pesewas - other.pesewas)

    def __neg__(self) -> Money:
        return Money(-self.pesewas)

    def __bool__(self) -> bool:
        return self.pesewas != 0

    def format(self, currency: str = "GHS") -> str:
        sign = "-" if self.pesewas < 0 else ""
        whole, part = divmod(abs(self.pesewas), PESEWAS_PER_CEDI)
        return f"{sign}{currency} {whole:,}.{part:02d}"

    def decimal_string(self) -> str:
        """The amount as providers want it: `12.50`."""
        sign = "-" if self.pesewas < 0 else ""
        whole, part = divmod(abs(self.pesewas), PESEWAS_PER_CEDI)
        return f"{sign}{whole}.{part:02d}"


def parse_whole_cedis(text: str, minimum: int, maximum: int) -> Money:
    """A top-up amount typed on a keypad: whole cedis within bounds."""
    cleaned = text.strip().replace(",", "")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise InvalidValue("amount_not_number")
    value = int(cleaned)
    if value < minimum or value > maximum:
        raise InvalidValue("amount_out_of_range")
    return Money.cedis(value)
