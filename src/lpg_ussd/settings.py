"""Settings: one frozen struct read from `LPG_USSD_*` variables, once, at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec

PREFIX = "LPG_USSD_"
# The aggregators whose callbacks the settings protect, each with `<gateway>_callback_token`,
# `<gateway>_basic_auth` and `<gateway>_allowed_networks`.
CALLBACK_GATEWAYS = ("africastalking", "hubtel", "arkesel", "nalo")
# Read as comma-separated lists.
LIST_FIELDS = frozenset(
    {
        "staff_alert_numbers",
        "languages",
        "trusted_proxies",
        *(f"{gateway}_allowed_networks" for gateway in CALLBACK_GATEWAYS),
    }
)
# A path token must be unguessable and need no escaping in a URL (secrets.token_urlsafe).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{16,128}")


PAYMENT_PROVIDERS = ("simulated", "mtn_momo", "hubtel", "paystack")
SMS_PROVIDERS = ("console", "africastalking", "hubtel", "arkesel")


class SettingsError(ValueError):
    pass


class CallbackSecurity(msgspec.Struct, frozen=True):
    """How one aggregator's callbacks are checked; all empty: open to anyone."""

    token: str = ""  # the secret last segment of the callback URL
    basic_auth: str = ""  # "user:password" for HTTP Basic
    allowed_networks: tuple[str, ...] = ()  # CIDRs the requests may come from; empty: any


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
    # Languages offered (codes of word catalogues: en, tw, ee, gaa, fr), in menu order.
    # Empty: English and every catalogue a native speaker has reviewed.
    languages: tuple[str, ...] = ()
    default_language: str = "en"
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
    provider_timeout_seconds: float = 10.0  # every call to a payment or SMS provider
    # MTN MoMo Open API, collections (sandbox: https://sandbox.momodeveloper.mtn.com,
    # target environment `sandbox`, currency EUR)
    mtn_momo_base_url: str = "https://proxy.momoapi.mtn.com"
    mtn_momo_api_user: str = ""
    mtn_momo_api_key: str = ""
    mtn_momo_subscription_key: str = ""
    mtn_momo_target_environment: str = "mtnghana"
    mtn_momo_currency: str = "GHS"
    mtn_momo_callback_url: str = ""
    # Hubtel Receive Money (direct mobile-money prompt)
    hubtel_base_url: str = "https://rmp.hubtel.com"
    hubtel_status_base_url: str = "https://api-txnstatus.hubtel.com"
    hubtel_pos_sales_id: str = ""
    hubtel_api_id: str = ""
    hubtel_api_key: str = ""
    hubtel_callback_url: str = ""
    # Hubtel's own checkout (Programmable Services): on the Hubtel USSD gateway, a
    # mobile-money payment is collected by Hubtel, which then posts to our fulfilment URL; the
    # outcome is reported back to this URL (documented by Hubtel; reached from allow-listed IPs).
    hubtel_checkout: bool = False
    hubtel_checkout_callback_url: str = "https://gs-callback.hubtel.com:9055/callback"
    # Paystack mobile money
    paystack_base_url: str = "https://api.paystack.co"
    paystack_secret_key: str = ""
    paystack_currency: str = "GHS"
    paystack_email_domain: str = "customers.invalid"
    # SMS
    sms_provider: str = "console"
    sms_sender_id: str = "DemoGas"
    africastalking_username: str = ""
    africastalking_api_key: str = ""
    africastalking_sms_base_url: str = "https://api.africastalking.com"
    hubtel_sms_client_id: str = ""
    hubtel_sms_client_secret: str = ""
    hubtel_sms_base_url: str = "https://smsc.hubtel.com"
    arkesel_api_key: str = ""
    arkesel_sms_base_url: str = "https://sms.arkesel.com"
    # Worker
    run_worker: bool = True  # run the outbox worker inside the server process
    worker_poll_seconds: float = 0.5
    # The web handset at GET /simulator (it dials through the real callback routes)
    simulator: bool = True
    # The staff console at /admin. The secret signs its CSRF tokens (empty: one is made and
    # kept in secret-key beside the SQLite database, or in var/). Cookies are Secure when
    # "true", never when "false", and with "auto" unless the console is served on localhost.
    secret_key: str = ""
    secure_cookies: str = "auto"
    staff_session_hours: float = 8.0
    # Security
    pin_hash_time_cost: int = 2
    pin_hash_memory_kib: int = 19_456
    max_body_bytes: int = 65_536
    # Hops a minute (0: no limit). No honest handset comes near the first; an aggregator
    # sends every customer's hops from a few addresses, hence the second's size.
    rate_limit_phone_per_minute: int = 120
    rate_limit_source_per_minute: int = 60_000
    log_level: str = "INFO"
    log_format: str = "json"  # json: one JSON object a line; text: for reading in a terminal
    # Callback security, per aggregator: a secret path token and/or HTTP Basic credentials
    # ("user:password"), and the source networks allowed (CIDRs, comma-separated; empty: any).
    africastalking_callback_token: str = ""
    africastalking_basic_auth: str = ""
    africastalking_allowed_networks: tuple[str, ...] = ()
    hubtel_callback_token: str = ""
    hubtel_basic_auth: str = ""
    hubtel_allowed_networks: tuple[str, ...] = ()
    arkesel_callback_token: str = ""
    arkesel_basic_auth: str = ""
    arkesel_allowed_networks: tuple[str, ...] = ()
    nalo_callback_token: str = ""
    nalo_basic_auth: str = ""
    nalo_allowed_networks: tuple[str, ...] = ()
    # Proxies (CIDRs) whose X-Forwarded-For is believed; from anyone else it is ignored.
    trusted_proxies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 60 <= self.screen_limit <= 182:
            raise SettingsError("LPG_USSD_SCREEN_LIMIT must be between 60 and 182")
        if self.hop_deadline_seconds <= 0:
            raise SettingsError("LPG_USSD_HOP_DEADLINE_SECONDS must be positive")
        if not self.order_prefix.isalnum():
            raise SettingsError("LPG_USSD_ORDER_PREFIX must be letters or digits")
        for gateway, security in self.callback_security.items():
            _check_callback_security(gateway, security)
        _check_networks("LPG_USSD_TRUSTED_PROXIES", self.trusted_proxies)
        for name in {self.payment_provider, *self.payment_providers_by_network.values()} - {""}:
            if name not in PAYMENT_PROVIDERS:
                raise SettingsError(
                    f"payment provider {name!r}: choose one of {', '.join(PAYMENT_PROVIDERS)}"
                )
        if self.hubtel_checkout:
            parts = urlsplit(self.hubtel_checkout_callback_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SettingsError("LPG_USSD_HUBTEL_CHECKOUT_CALLBACK_URL must be an http(s) URL")
        if self.secure_cookies not in ("auto", "true", "false"):
            raise SettingsError("LPG_USSD_SECURE_COOKIES: choose auto, true or false")
        if self.sms_provider not in SMS_PROVIDERS:
            raise SettingsError(f"LPG_USSD_SMS_PROVIDER: choose one of {', '.join(SMS_PROVIDERS)}")

    @property
    def payment_providers_in_use(self) -> set[str]:
        return {self.payment_provider, *self.payment_providers_by_network.values()} - {""}

    @property
    def callback_security(self) -> dict[str, CallbackSecurity]:
        return {
            gateway: CallbackSecurity(
                token=getattr(self, f"{gateway}_callback_token"),
                basic_auth=getattr(self, f"{gateway}_basic_auth"),
                allowed_networks=getattr(self, f"{gateway}_allowed_networks"),
            )
            for gateway in CALLBACK_GATEWAYS
        }

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
            if name in LIST_FIELDS:
                raw[name] = [part.strip() for part in value.split(",") if part.strip()]
            else:
                raw[name] = value
        raw.update(overrides)
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as error:
            raise SettingsError(f"invalid setting: {error}") from error


def _check_callback_security(gateway: str, security: CallbackSecurity) -> None:
    name = PREFIX + gateway.upper()
    if security.token and not TOKEN_PATTERN.fullmatch(security.token):
        raise SettingsError(
            f"{name}_CALLBACK_TOKEN must be 16 to 128 letters, digits, '-', '_', '.' or '~'"
            " (make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if security.basic_auth:
        user, colon, password = security.basic_auth.partition(":")
        if not (user and colon and password):
            raise SettingsError(f"{name}_BASIC_AUTH must be user:password, both non-empty")
    _check_networks(f"{name}_ALLOWED_NETWORKS", security.allowed_networks)


def _check_networks(name: str, networks: tuple[str, ...]) -> None:
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as error:
            raise SettingsError(f"{name}: {network!r} is not a network (CIDR)") from error


def env_names() -> list[str]:
    return [PREFIX + name.upper() for name in Settings.__struct_fields__]
