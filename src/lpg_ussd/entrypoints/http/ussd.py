"""The aggregators' callback: one route shape for every gateway, one dialogue behind it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, UssdGateway
from lpg_ussd.application.ussd.engine import Dialogue
from lpg_ussd.entrypoints.http.callback_auth import CallbackAuth, callback_guard

PLAIN = "text/plain"
log = logging.getLogger("lpg_ussd.http")


class RateLimiter(Protocol):
    async def allow(self, phone: str | None, source: str | None) -> bool: ...


def source_of(request: Request[Any, Any, Any]) -> str | None:
    """The caller's address, believing X-Forwarded-For only from trusted proxies."""
    auth: CallbackAuth = request.app.state.callback_auth
    peer = request.client.host if request.client else None
    address = auth.source_address(peer, request.headers.getall("x-forwarded-for", []))
    return str(address) if address is not None else peer  # a peer that is not an IP: as is


Dialogue_ = SkipValidation[NamedDependency[Dialogue]]
Gateways = SkipValidation[NamedDependency[Mapping[str, UssdGateway]]]
Limiter = SkipValidation[NamedDependency[RateLimiter]]


async def answer_hop(
    gateway: str,
    request: Request[Any, Any, Any],
    dialogue: Dialogue,
    gateways: Mapping[str, UssdGateway],
    limiter: RateLimiter,
) -> Response[bytes]:
    adapter = gateways.get(gateway)
    if adapter is None:
        return Response(b"unknown gateway", status_code=HTTP_404_NOT_FOUND, media_type=PLAIN)
    body = await request.body()
    try:
        hop = adapter.decode(body, request.headers.get("content-type", ""))
    except MalformedRequest as error:
        return Response(str(error).encode(), status_code=HTTP_400_BAD_REQUEST, media_type=PLAIN)
    if await limiter.allow(hop.msisdn, source_of(request)):
        reply = await dialogue.answer(hop)
    else:
        log.warning("hop over the rate limit", extra={"session_id": hop.session_id})
        reply = dialogue.slow_down()
    encoded = adapter.encode(reply, hop)
    return Response(encoded, status_code=HTTP_200_OK, media_type=adapter.media_type)


LEGACY_PATH = "/ussd/callback"  # Africa's Talking's, kept for existing set-ups


def callback_paths(gateway: str) -> list[str]:
    """The token-less URLs a gateway's hops arrive on (for the start-up warnings)."""
    paths = [f"/ussd/{gateway}/callback"]
    return [*paths, LEGACY_PATH] if gateway == "africastalking" else paths


@post(
    ["/ussd/{gateway:str}/callback", "/ussd/{gateway:str}/callback/{token:str}"],
    guards=[callback_guard],
    status_code=HTTP_200_OK,
    summary="A USSD hop",
)
async def gateway_callback(
    gateway: FromPath[str],
    request: Request[Any, Any, Any],
    dialogue: Dialogue_,
    gateways: Gateways,
    rate_limiter: Limiter,
) -> Response[bytes]:
    """`gateway` is one of `africastalking`, `hubtel`, `arkesel`, `nalo`; `token` is the
    gateway's secret path token when its settings ask for one."""
    return await answer_hop(gateway, request, dialogue, gateways, rate_limiter)


@post(
    LEGACY_PATH,
    guards=[callback_guard],
    opt={"gateway": "africastalking"},
    status_code=HTTP_200_OK,
    summary="Africa's Talking USSD hop",
)
async def africastalking_callback(
    request: Request[Any, Any, Any], dialogue: Dialogue_, gateways: Gateways, rate_limiter: Limiter
) -> Response[bytes]:
    return await answer_hop("africastalking", request, dialogue, gateways, rate_limiter)


routes = [gateway_callback, africastalking_callback]
