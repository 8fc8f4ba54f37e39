"""A phone number in E.164 form (`+233...`); parsing other forms is an adapter's job."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lpg_ussd.domain.errors import InvalidValue

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True, slots=True)
class Msisdn:
    e164: str

    def __post_init__(self) -> None:
        if not _E164.match(self.e164):
            raise InvalidValue("phone_invalid")

    def __str__(self) -> str:
        return self.e164

    def masked(self) -> str:
        """For logs: country code and last three digits only."""
        return self.e164[:4] + "*" * (len(self.e164) - 7) + self.e164[-3:]
