"""Which payment provider serves which mobile-money network, from settings."""

from __future__ import annotations

from collections.abc import Mapping

from lpg_ussd.application.ports import PaymentGateway


class ConfiguredPaymentProviders:
    def __init__(
        self,
        gateways: Mapping[str, PaymentGateway],
        default: str,
        per_network: Mapping[str, str] | None = None,
    ) -> None:
        self._gateways = dict(gateways)
        self._default = default
        self._per_network = {k: v for k, v in (per_network or {}).items() if v}
        for name in [default, *self._per_network.values()]:
            if name not in self._gateways:
                raise ValueError(f"payment provider {name!r} is not configured")

    def for_network(self, network: str) -> PaymentGateway:
        return self._gateways[self._per_network.get(network, self._default)]

    def by_name(self, name: str) -> PaymentGateway | None:
        return self._gateways.get(name)
