"""Aggregators' end-of-session notices (Africa's Talking's): counted, and answered at once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from lpg_ussd.adapters.ussd_gateways.base import MalformedRequest
from lpg_ussd.application.session_outcomes import RecordSessionOutcome, SessionEnded
from lpg_ussd.entrypoints.http.callback_auth import callback_guard

log = logging.getLogger("lpg_ussd.http.events")

PLAIN = "text/plain"
SessionEndDecoder = Callable[[bytes, str], SessionEnded]
Decoders = SkipValidation[NamedDependency[Mapping[str, SessionEndDecoder]]]
Recorder = SkipValidation[NamedDependency[RecordSessionOutcome]]


def event_paths(gateway: str) -> list[str]:
    """The token-less URL a gateway's notices arrive on (for the start-up warnings)."""
    return [f"/ussd/{gateway}/events"]


# `{gateway}` rather than a fixed `/ussd/africastalking/events`: Litestar's router does not fall
# back from a fixed segment to a parameter, so a fixed one would hide that gateway's callback.
@post(
    ["/ussd/{gateway:str}/events", "/ussd/{gateway:str}/events/{token:str}"],
    guards=[callback_guard],
    status_code=HTTP_200_OK,
    summary="An aggregator's end-of-session notice",
)
async def session_events(
    gateway: FromPath[str],
    request: Request[Any, Any, Any],
    session_end_decoders: Decoders,
    record_session_outcome: Recorder,
) -> Response[bytes]:
    """`africastalking` only. Answered 200 with an empty body before the count is written."""
    decode = session_end_decoders.get(gateway)
    if decode is None:
        return Response(b"unknown gateway", status_code=HTTP_404_NOT_FOUND, media_type=PLAIN)
    try:
        ended = decode(await request.body(), request.headers.get("content-type", ""))
    except MalformedRequest as error:
        return Response(str(error).encode(), status_code=HTTP_400_BAD_REQUEST, media_type=PLAIN)
    task = BackgroundTask(_record, record_session_outcome, ended)
    return Response(b"", status_code=HTTP_200_OK, media_type=PLAIN, background=task)


async def _record(record: RecordSessionOutcome, ended: SessionEnded) -> None:
    try:
        await record(ended)
    except Exception:
        log.exception(
            "could not count the end of session %s",
            ended.session_id,
            extra={"session_id": ended.session_id},
        )


routes = [session_events]
