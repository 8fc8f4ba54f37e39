"""The aggregators' callback: one route shape for every gateway, one dialogue behind it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from litestar import Request, post
from litestar.datastructures import State
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.parameter import Parameter
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND
from litestar.types import ASGIApp, Receive, Scope, Send

from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest, UssdGateway
from lpg_ussd.application.ussd.engine import Dialogue
from lpg_ussd.entrypoints.http.callback_auth import CallbackAuth, check_callback
from lpg_ussd.entrypoints.logs import bind_session
from lpg_ussd.settings import CALLBACK_GATEWAYS

PLAIN = "text/plain"
log = logging.getLogger("lpg_ussd.http")


class RateLimiter(Protocol):
    active: bool  # False when every limit is 0: no hop is ever refused

    async def allow(self, phone: str | None, source: str | None) -> bool: ...


LIMIT_CHECK_SECONDS = 0.2


async def allowed(limiter: RateLimiter, phone: str, source: str | None) -> bool:
    """Fail open: a slow or failed limit check never costs a customer the hop."""
    try:
        async with asyncio.timeout(LIMIT_CHECK_SECONDS):
            return await limiter.allow(phone, source)
    except Exception as error:
        log.warning("rate limit not checked: %r", error)
        return True


def source_of(request: Request[Any, Any, Any]) -> str | None:
    """The caller's address, believing X-Forwarded-For only from trusted proxies."""
    auth: CallbackAuth = request.app.state.callback_auth
    peer = request.client.host if request.client else None
    address = auth.source_address(peer, request.headers.getall("x-forwarded-for", []))
    return str(address) if address is not None else peer  # a peer that is not an IP: as is


@dataclass(frozen=True, slots=True)
class HopParts:
    """What answering a hop takes, from the app's container."""

    dialogue: Dialogue
    gateways: Mapping[str, UssdGateway]
    limiter: RateLimiter


HOP_PARTS = "ussd_hop_parts"


def hop_parts(request: Request[Any, Any, Any]) -> HopParts:
    """Taken from the container once per app, not resolved as Litestar dependencies on every
    hop: Litestar resolves several in a task group of their own, a tenth of a hop's CPU."""
    return hop_parts_of(request.app.state)


def hop_parts_of(state: State) -> HopParts:
    parts: HopParts | None = state.get(HOP_PARTS)
    if parts is None:
        container = state.container
        parts = HopParts(container.dialogue(), container.ussd_gateways(), container.rate_limiter())
        state[HOP_PARTS] = parts
    return parts


class HopAnswer:
    """A hop's answer as the two ASGI messages themselves, with the headers Litestar's
    Response would send: building that Response and its ASGI response took a twentieth of a
    hop's CPU. Litestar passes it through as it is: response headers or cookies set on the
    app or a router would not reach these routes (none are), and an `after_request` hook
    would be handed this rather than a Response."""

    __slots__ = ("_body", "_headers", "_status")

    def __init__(self, body: bytes, media_type: str, status: int = HTTP_200_OK) -> None:
        if media_type.startswith("text/"):
            media_type = f"{media_type}; charset=utf-8"
        self._body = body
        self._status = status
        self._headers = [
            (b"content-type", media_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self._status, "headers": self._headers}
        )
        await send({"type": "http.response.body", "body": self._body, "more_body": False})


async def answer_hop(gateway: str, request: Request[Any, Any, Any]) -> HopAnswer:
    """Checked first as `callback_guard` checks other routes: before the body is read."""
    check_callback(request, gateway)
    parts = hop_parts(request)
    dialogue, limiter = parts.dialogue, parts.limiter
    adapter = parts.gateways.get(gateway)
    if adapter is None:
        return HopAnswer(b"unknown gateway", PLAIN, HTTP_404_NOT_FOUND)
    body = await request.body()
    try:
        hop = adapter.decode(body, request.headers.get("content-type", ""))
    except MalformedRequest as error:
        return HopAnswer(str(error).encode(), PLAIN, HTTP_400_BAD_REQUEST)
    bind_session(hop.session_id)  # on every log line of this hop
    if not limiter.active or await allowed(limiter, hop.msisdn, source_of(request)):
        reply = await dialogue.answer(hop)
    else:
        log.warning("hop over the rate limit", extra={"session_id": hop.session_id})
        reply = dialogue.slow_down()
    return HopAnswer(adapter.encode(reply, hop), adapter.media_type)


# -- The hop bodies in the OpenAPI document ------------------------------------------------
# The handlers read the raw body (each aggregator has its own format), so Litestar cannot infer
# it: it is described here, for readers and for the API fuzzer (tests/fuzz).

STRING, INTEGER, BOOLEAN = OpenAPIType.STRING, OpenAPIType.INTEGER, OpenAPIType.BOOLEAN
GHANA_MOBILE = r"233(20|23|24|26|27|50|54|55|56|57|59)[0-9]{7}"


def _text(max_length: int = 182, **more: Any) -> Schema:
    return Schema(type=STRING, max_length=max_length, **more)


def _hop(title: str, required: list[str], **fields: Schema | Reference) -> Schema:
    return Schema(type=OpenAPIType.OBJECT, title=title, properties=fields, required=required)


SESSION_ID = _text(128, min_length=1)
NETWORK = Schema(type=STRING, enum=["MTN", "VODAFONE", "AIRTELTIGO", "mtn", "vodafone", "tigo"])
AFRICASTALKING_HOP = _hop(
    "Africa's Talking hop (a form)",
    ["sessionId", "phoneNumber", "text"],
    sessionId=SESSION_ID,
    serviceCode=_text(20),
    phoneNumber=_text(16, pattern=f"^\\+{GHANA_MOBILE}$"),
    networkCode=Schema(type=STRING, enum=["62001", "62002", "62003", "62006"]),
    text=_text(600, description="every input so far, joined by `*`; empty on the first hop"),
)
HUBTEL_HOP = _hop(
    "Hubtel hop",
    ["SessionId", "Mobile", "Type", "Message"],
    SessionId=SESSION_ID,
    Mobile=_text(12, pattern=f"^{GHANA_MOBILE}$"),
    ServiceCode=_text(20),
    Type=Schema(type=STRING, enum=["Initiation", "Response", "Release", "Timeout"]),
    Message=_text(description="the dialled string on Initiation, else this screen's input"),
    Operator=Schema(type=STRING, enum=["mtn", "vodafone", "airteltigo", "tigo", "airtel"]),
    ClientState=_text(60),
    Sequence=Schema(type=INTEGER, minimum=1),
    Platform=Schema(type=STRING, enum=["USSD", "Web", "App"]),
)
ARKESEL_HOP = _hop(
    "Arkesel hop",
    ["sessionID", "msisdn", "newSession"],
    sessionID=SESSION_ID,
    userID=_text(60),
    newSession=Schema(type=BOOLEAN),
    msisdn=_text(12, pattern=f"^{GHANA_MOBILE}$"),
    userData=Schema(one_of=[_text(), Schema(type=OpenAPIType.NULL)]),
    network=NETWORK,
)
NALO_HOP = _hop(
    "Nalo hop",
    ["USERID", "MSISDN", "MSGTYPE", "SESSIONID"],
    USERID=_text(60),
    MSISDN=_text(12, pattern=f"^{GHANA_MOBILE}$"),
    USERDATA=_text(),
    MSGTYPE=Schema(type=BOOLEAN, description="true on the first hop"),
    NETWORK=NETWORK,
    SESSIONID=SESSION_ID,
)
FORM_BODY = {"application/x-www-form-urlencoded": OpenAPIMediaType(schema=AFRICASTALKING_HOP)}
JSON_BODY = {
    "application/json": OpenAPIMediaType(schema=Schema(one_of=[HUBTEL_HOP, ARKESEL_HOP, NALO_HOP]))
}

# The answer: the screen, as text (`CON ...` / `END ...`) for Africa's Talking and as a JSON
# object in the others' formats.
TEXT_ANSWER = {"text/plain": OpenAPIMediaType(schema=Schema(type=STRING))}
JSON_ANSWER = {"application/json": OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT))}


# Refusals made before the hop is read (callback_auth.py, Litestar's body limit) are
# Litestar's JSON errors.
LITESTAR_ERROR = {
    "application/json": OpenAPIMediaType(
        schema=Schema(
            type=OpenAPIType.OBJECT,
            properties={"status_code": Schema(type=INTEGER), "detail": Schema(type=STRING)},
            required=["status_code", "detail"],
        )
    )
}


def _answers(
    content: dict[str, OpenAPIMediaType], gateway_named: bool
) -> dict[str, OpenAPIResponse | Reference]:
    answers: dict[str, OpenAPIResponse | Reference] = {
        "200": OpenAPIResponse(description="The screen to show", content=content),
        "400": OpenAPIResponse(
            description="A body the gateway would not send (what is wrong, as text)",
            content=TEXT_ANSWER,
        ),
        "401": OpenAPIResponse(
            description="The gateway's callback token or credentials are missing or wrong",
            content=LITESTAR_ERROR,
        ),
        "403": OpenAPIResponse(
            description="The caller is outside the gateway's allowed networks",
            content=LITESTAR_ERROR,
        ),
        "413": OpenAPIResponse(
            description="A body over LPG_USSD_MAX_BODY_BYTES", content=LITESTAR_ERROR
        ),
    }
    if gateway_named:
        answers["404"] = OpenAPIResponse(
            description="`gateway` names no aggregator this line is wired to (as text), or a "
            "token is given where the gateway takes none",
            content={**TEXT_ANSWER, **LITESTAR_ERROR},
        )
    return answers


@dataclass
class HopOperation(Operation):
    """A hop of any aggregator: `gateway` names one, the body is in its format."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(content={**FORM_BODY, **JSON_BODY}, required=True)
        self.responses = _answers({**TEXT_ANSWER, **JSON_ANSWER}, gateway_named=True)
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name == "gateway":
                parameter.schema = Schema(type=STRING, enum=list(CALLBACK_GATEWAYS))


@dataclass
class AfricasTalkingHopOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = RequestBody(content=FORM_BODY, required=True)
        self.responses = _answers(TEXT_ANSWER, gateway_named=False)


LEGACY_PATH = "/ussd/callback"  # Africa's Talking's, kept for existing set-ups


def callback_paths(gateway: str) -> list[str]:
    """The token-less URLs a gateway's hops arrive on (for the start-up warnings)."""
    paths = [f"/ussd/{gateway}/callback"]
    return [*paths, LEGACY_PATH] if gateway == "africastalking" else paths


@post(
    ["/ussd/{gateway:str}/callback", "/ussd/{gateway:str}/callback/{token:str}"],
    status_code=HTTP_200_OK,
    summary="A USSD hop",
    operation_class=HopOperation,
)
async def gateway_callback(gateway: FromPath[str], request: Request[Any, Any, Any]) -> ASGIApp:
    """`gateway` is one of `africastalking`, `hubtel`, `arkesel`, `nalo`; `token` is the
    gateway's secret path token when its settings ask for one."""
    return await answer_hop(gateway, request)


@post(
    LEGACY_PATH,
    status_code=HTTP_200_OK,
    summary="Africa's Talking USSD hop",
    operation_class=AfricasTalkingHopOperation,
)
async def africastalking_callback(request: Request[Any, Any, Any]) -> ASGIApp:
    return await answer_hop("africastalking", request)


routes = [gateway_callback, africastalking_callback]
