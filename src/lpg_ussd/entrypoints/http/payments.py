"""Payment providers' callbacks: each is only a hint; the status query decides.

Every callback of a known provider is recorded, refused ones included; one naming a reference
that is none of ours is answered 200 like any other.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response, route
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
)

from lpg_ussd.adapters.payments.base import (
    CallbackNotice,
    CallbackRejected,
    MalformedCallback,
    PaymentCallbackParser,
)
from lpg_ussd.application.payment_callbacks import ReceivePaymentCallback
from lpg_ussd.application.ports import CallbackOutcome, PaymentProviders

log = logging.getLogger("lpg_ussd.payments.callbacks")


class SimulatedCallback(msgspec.Struct):
    reference: str


async def _notice(gateway: object, request: Request[Any, Any, Any]) -> CallbackNotice:
    """What the provider says, read by its own adapter; the simulated one posts a reference."""
    body = await request.body()
    if isinstance(gateway, PaymentCallbackParser):
        return await gateway.parse_callback(body, dict(request.headers))
    try:
        return CallbackNotice(msgspec.json.decode(body, type=SimulatedCallback).reference, False)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise MalformedCallback(str(error)) from error


@route(
    "/payments/{provider:str}/callback",
    http_method=["POST", "PUT"],
    status_code=HTTP_200_OK,
    summary="A payment provider's notification",
)
async def payment_callback(
    provider: FromPath[str],
    request: Request[Any, Any, Any],
    payment_providers: SkipValidation[NamedDependency[PaymentProviders]],
    receive_payment_callback: SkipValidation[NamedDependency[ReceivePaymentCallback]],
) -> Response[dict[str, str]]:
    gateway = payment_providers.by_name(provider)
    if gateway is None:
        return Response({"error": "unknown provider"}, status_code=HTTP_404_NOT_FOUND)
    try:
        notice = await _notice(gateway, request)
    except MalformedCallback:
        await receive_payment_callback.refused(provider, CallbackOutcome.MALFORMED)
        return Response({"error": "unreadable callback"}, status_code=HTTP_400_BAD_REQUEST)
    except CallbackRejected:
        log.warning("%s callback refused: bad or missing signature", provider)
        await receive_payment_callback.refused(provider, CallbackOutcome.REJECTED)
        return Response({"error": "signature refused"}, status_code=HTTP_401_UNAUTHORIZED)
    # Even a signed notice is confirmed with the provider before any value is delivered.
    outcome = await receive_payment_callback(
        provider, notice.reference, notice.trusted, notice.provider_reference
    )
    if outcome is CallbackOutcome.IGNORED:
        log.info("%s callback without a payment reference ignored", provider)
    return Response({"status": outcome.value})


routes = [payment_callback]
