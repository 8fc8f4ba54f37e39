"""Customers, their names, towns, digital addresses and PIN rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.msisdn import Msisdn

_NAME = re.compile(r"^[A-Za-z][A-Za-z' -]*[A-Za-z]$")
_TOWN = re.compile(r"^[A-Za-z][A-Za-z -]*[A-Za-z]$")
_ADDRESS = re.compile(r"^([A-Z])([A-Z0-9])(\d{3,4})(\d{4})$")

PIN_ATTEMPTS = 3
PIN_LOCK = timedelta(minutes=30)


class VerificationStatus(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _capitalise(word: str) -> str:
    """`o'neil-ama` -> `O'Neil-Ama`: capital after start, hyphen and apostrophe."""
    out: list[str] = []
    upper_next = True
    for ch in word.lower():
        out.append(ch.upper() if upper_next else ch)
        upper_next = ch in " -'"
    return "".join(out)


def parse_name(text: str) -> str:
    name = _collapse(text)
    if not 2 <= len(name) <= 30:
        raise InvalidValue("name_length")
    if not name.isascii() or not _NAME.match(name):
        raise InvalidValue("name_letters")
    return _capitalise(name)


def parse_town(text: str) -> str:
    town = _collapse(text)
    if not 2 <= len(town) <= 30:
        raise InvalidValue("town_length")
    if not town.isascii() or not _TOWN.match(town):
        raise InvalidValue("town_letters")
    return _capitalise(town)


@dataclass(frozen=True, slots=True)
class DigitalAddress:
    """GhanaPost GPS address, normalised to `XX-NNN-NNNN`."""

    value: str

    @classmethod
    def parse(cls, text: str) -> DigitalAddress:
        compact = "".join(ch for ch in text.upper() if ch not in " -")
        match = _ADDRESS.match(compact) if compact.isascii() else None
        if not match:
            raise InvalidValue("address_format")
        region, district, area, unique = match.groups()
        return cls(f"{region}{district}-{area}-{unique}")

    def __str__(self) -> str:
        return self.value


def check_new_pin(pin: str) -> str:
    """A PIN a customer may choose: four digits, not trivial."""
    if len(pin) != 4 or not pin.isdigit() or not pin.isascii():
        raise InvalidValue("pin_format")
    digits = [int(d) for d in pin]
    steps = {b - a for a, b in pairwise(digits)}
    if len(set(digits)) == 1 or steps in ({1}, {-1}):
        raise InvalidValue("pin_trivial")
    if pin in {"1212", "2580", "0852", "1122", "1100", "6969", "1010", "2000"}:
        raise InvalidValue("pin_trivial")
    return pin


@dataclass(slots=True)
class Customer:
    id: int | None
    msisdn: Msisdn
    first_name: str
    last_name: str
    town: str
    digital_address: DigitalAddress | None
    pin_hash: str
    status: VerificationStatus = VerificationStatus.UNVERIFIED
    pin_failures: int = 0
    pin_locked_until: datetime | None = None
    language: str = "en"
    created_at: datetime | None = None
    verified_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_verified(self) -> bool:
        return self.status is VerificationStatus.VERIFIED

    def pin_locked(self, now: datetime) -> bool:
        return self.pin_locked_until is not None and now < self.pin_locked_until

    def record_pin_failure(self, now: datetime) -> int:
        """Count a wrong PIN; lock after the third in a row. Returns attempts left."""
        self.pin_failures += 1
        if self.pin_failures >= PIN_ATTEMPTS:
            self.pin_failures = 0
            self.pin_locked_until = now + PIN_LOCK
            return 0
        return PIN_ATTEMPTS - self.pin_failures

    def record_pin_success(self) -> None:
        self.pin_failures = 0
        self.pin_locked_until = None

    def unlock_pin(self) -> None:
        self.record_pin_success()

    def verify(self, now: datetime) -> None:
        self.status = VerificationStatus.VERIFIED
        self.verified_at = now

    def reject(self) -> None:
        self.status = VerificationStatus.REJECTED
