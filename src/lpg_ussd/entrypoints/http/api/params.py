"""Path and query values as the API reads them, and what it documents each may answer."""

from __future__ import annotations

import re
from typing import Annotated

from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.domain.errors import NotFound
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.entrypoints.http.api.schemas import PLAIN_TEXT, Error

_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,40}$")

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="At most this many, newest first")]
RowId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
Phone = Annotated[
    str, PathParameter(description="In any common form: `0244000001`, `+233244000001`")
]
Reference = Annotated[str, PathParameter(description="In any case: `ng-7kq2mx` is `NG-7KQ2MX`")]
SearchText = Annotated[
    str | None,
    QueryParameter(max_length=64, pattern=PLAIN_TEXT, description="Part of a name, town or phone"),
]
FilterText = Annotated[str | None, QueryParameter(max_length=100, pattern=PLAIN_TEXT)]
Days = Annotated[
    int, QueryParameter(ge=1, le=366, description="Days back from today, today included")
]


def msisdn(text: str) -> Msisdn:
    """Any common form of a phone number; InvalidValue (400) for anything else."""
    return normalise_msisdn(text)


def parse_reference(text: str) -> str:
    """An order or payment reference in any case; NotFound (404) when it cannot be one."""
    cleaned = text.strip().upper()
    if not _REFERENCE.match(cleaned):
        raise NotFound("no such reference")
    return cleaned


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(Error, description=description, generate_examples=False)


UNAUTHORISED = _spec("No API key, or an unknown or revoked one (with WWW-Authenticate)")
FORBIDDEN = _spec("The API key lacks the scope this operation needs")
BAD_REQUEST = _spec("Bad input: a malformed body, a wrong type, an unknown status or value")
NOT_FOUND = _spec("No such customer, order, ticket, cylinder type or payment")
CONFLICT = _spec("A change the business refuses, such as a status move the order cannot make")

READ = {400: BAD_REQUEST, 401: UNAUTHORISED, 403: FORBIDDEN}
READ_ONE = {**READ, 404: NOT_FOUND}
WRITE = {**READ_ONE, 409: CONFLICT}
