"""Settings: one frozen struct read from `LPG_USSD_*` variables, once, at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import msgspec

PREFIX = "LPG_USSD_"


class SettingsError(ValueError):
    pass


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # Storage
    database_url: str = "sqlite+aiosqlite:///var/lpg-ussd.db"
    redis_url: str = ""  # empty: sessions in this process's memory
    redis_key_prefix: str = "lpg"
    auto_migrate: bool = True
    # Dialogue
    session_ttl_seconds: int = 600
    resume_window_seconds: int = 600
    hop_deadline_seconds: float = 3.0
    screen_limit: int = 160
    auto_verify: bool = False
    # Brand
    company_name: str = "Demo Gas"
    care_number: str = "0302 000 000"
    emergency_number: str = "192"
    service_code: str = "*384*303#"
    order_prefix: str = "NG"
    currency: str = "GHS"
    delivery_days: int = 1
    staff_alert_numbers: tuple[str, ...] = ()
    # Payments
    payment_provider: str = "simulated"
    payment_provider_mtn: str = ""
    payment_provider_telecel: str = ""
    payment_provider_airteltigo: str = ""
    simulated_payment_outcome: str = "success"
    simulated_payment_delay_seconds: float = 3.0
    # SMS
    sms_provider: str = "console"
    sms_sender_id: str = "DemoGas"
    # Worker
    run_worker: bool = True  # run the outbox worker inside the server process
    worker_poll_seconds: float = 0.5
    # Security
    pin_hash_time_cost: int = 2
    pin_hash_memory_kib: int = 19_456
    max_body_bytes: int = 65_536
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if not 60 <= self.screen_limit <= 182:
            raise SettingsError("LPG_USSD_SCREEN_LIMIT must be between 60 and 182")
        if self.hop_deadline_seconds <= 0:
            raise SettingsError("LPG_USSD_HOP_DEADLINE_SECONDS must be positive")
        if not self.order_prefix.isalnum():
            raise SettingsError("LPG_USSD_ORDER_PREFIX must be letters or digits")

    @property
    def payment_providers_by_network(self) -> dict[str, str]:
        return {
            "mtn": self.payment_provider_mtn,
            "telecel": self.payment_provider_telecel,
            "airteltigo": self.payment_provider_airteltigo,
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every `LPG_USSD_<FIELD>` variable; `overrides` win (tests use them)."""
        env = os.environ if environ is None else environ
        raw: dict[str, Any] = {}
        for name in cls.__struct_fields__:
            value = env.get(PREFIX + name.upper())
            if value is None:
                continue
            if name == "staff_alert_numbers":
                raw[name] = [part.strip() for part in value.split(",") if part.strip()]
            else:
                raw[name] = value
        raw.update(overrides)
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as error:
            raise SettingsError(f"invalid setting: {error}") from error


def env_names() -> list[str]:
    return [PREFIX + name.upper() for name in Settings.__struct_fields__]
