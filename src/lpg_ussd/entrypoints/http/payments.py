"""Payment providers' callbacks: each is only a hint; the status query decides."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, route
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from lpg_ussd.application.payments import ConfirmPayment
from lpg_ussd.application.ports import PaymentProviders


class SimulatedCallback(msgspec.Struct):
    reference: str


def _reference(provider: str, body: bytes) -> str:
    if provider == "simulated":
        return msgspec.json.decode(body, type=SimulatedCallback).reference
    raise LookupError(provider)


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
    confirm_payment: SkipValidation[NamedDependency[ConfirmPayment]],
) -> Response[dict[str, str]]:
    if payment_providers.by_name(provider) is None:
        return Response({"error": "unknown provider"}, status_code=HTTP_404_NOT_FOUND)
    try:
        reference = _reference(provider, await request.body())
    except (msgspec.DecodeError, msgspec.ValidationError, LookupError):
        return Response({"error": "unreadable callback"}, status_code=HTTP_400_BAD_REQUEST)
    settlement = await confirm_payment(reference)
    return Response({"status": settlement.value})


routes = [payment_callback]
