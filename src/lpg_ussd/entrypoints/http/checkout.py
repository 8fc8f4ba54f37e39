"""An aggregator's checkout fulfilment (Hubtel's Service Fulfilment URL): settled, answered.

The request settles the payment at once, in one transaction with the SMS and the report
back to the aggregator (sent by the outbox worker), so a crash loses neither; the aggregator
gets its 200 as soon as that is written. A body that cannot be read is a 400, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from lpg_ussd.adapters.payments.base import MalformedCallback
from lpg_ussd.application.checkout import CheckoutOutcome, SettleCheckout
from lpg_ussd.entrypoints.http.callback_auth import callback_guard

log = logging.getLogger("lpg_ussd.http.checkout")


class FulfilmentReader(Protocol):
    """A checkout adapter: its payment provider name, and its fulfilment request read."""

    name: str

    def read_fulfilment(self, body: bytes) -> CheckoutOutcome: ...


Readers = SkipValidation[NamedDependency[Mapping[str, FulfilmentReader]]]
Settle = SkipValidation[NamedDependency[SettleCheckout]]


def fulfilment_paths(gateway: str) -> list[str]:
    """The token-less URL a gateway's fulfilment requests arrive on (start-up warnings)."""
    return [f"/ussd/{gateway}/fulfilment"]


# `{gateway}` rather than a fixed `/ussd/hubtel/fulfilment`: Litestar's router does not fall
# back from a fixed segment to a parameter, so a fixed one would hide that gateway's callback.
@post(
    ["/ussd/{gateway:str}/fulfilment", "/ussd/{gateway:str}/fulfilment/{token:str}"],
    guards=[callback_guard],
    status_code=HTTP_200_OK,
    summary="An aggregator's checkout fulfilment request",
)
async def checkout_fulfilment(
    gateway: FromPath[str],
    request: Request[Any, Any, Any],
    checkout_readers: Readers,
    settle_checkout: Settle,
) -> Response[dict[str, str]]:
    """`hubtel`, when `LPG_USSD_HUBTEL_CHECKOUT` is on: Hubtel's Service Fulfilment URL."""
    reader = checkout_readers.get(gateway)
    if reader is None:
        return Response({"error": "no checkout on this gateway"}, status_code=HTTP_404_NOT_FOUND)
    try:
        outcome = reader.read_fulfilment(await request.body())
    except MalformedCallback as error:
        log.warning("%s fulfilment refused: %s", gateway, error)
        return Response({"error": str(error)}, status_code=HTTP_400_BAD_REQUEST)
    settlement = await settle_checkout(reader.name, outcome)
    return Response({"status": settlement.value})


routes = [checkout_fulfilment]
