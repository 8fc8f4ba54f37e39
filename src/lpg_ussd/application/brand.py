"""The company a line speaks for: configuration, not code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Brand:
    company: str
    care_number: str
    emergency_number: str
    service_code: str
    currency: str = "GHS"
    order_prefix: str = "NG"
