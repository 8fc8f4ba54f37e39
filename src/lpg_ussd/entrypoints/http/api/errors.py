"""One map from what went wrong to a JSON answer `{"error": ..., "details": [...]}`.

Bad input is 400, an unknown thing 404, a change the business refuses 409; an API caller
never meets a 500 for a request it could have got wrong.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
)
from litestar.types import ExceptionHandlersMap

from lpg_ussd.domain.errors import (
    AlreadyExists,
    DomainError,
    InvalidValue,
    NotFound,
    TransitionNotAllowed,
)
from lpg_ussd.entrypoints.http.api.schemas import Error

_Request = Request[Any, Any, Any]


def _answer(
    status: int, error: str, details: list[str] | None = None, **kw: Any
) -> Response[Error]:
    return Response(Error(error, details or []), status_code=status, **kw)


def _detail(item: Any) -> str:
    if isinstance(item, dict):
        where = item.get("key") or item.get("source") or ""
        message = str(item.get("message", ""))
        return f"{where}: {message}" if where else message
    return str(item)


def http_error(_: _Request, error: HTTPException) -> Response[Error]:
    extra = error.extra
    details = [_detail(item) for item in extra] if isinstance(extra, list) else []
    if isinstance(extra, dict):
        details = [_detail(extra)]
    message = error.detail
    if isinstance(error, ValidationException):
        message = "invalid request" if not details else "invalid request: " + "; ".join(details)
    return _answer(error.status_code, message, details, headers=error.headers)


REASONS = {
    "phone_invalid": "not a phone number",
    "price": "a price is 1 to 10,000,000 pesewas",
    "effective_from": "effective_from needs a time zone and a date from 2000 to 2100",
}


def invalid_value(_: _Request, error: InvalidValue) -> Response[Error]:
    words = REASONS.get(error.reason, f"invalid value: {error.reason}")
    return _answer(HTTP_400_BAD_REQUEST, words, [error.reason])


def not_found(_: _Request, error: NotFound) -> Response[Error]:
    return _answer(HTTP_404_NOT_FOUND, f"not found: {error}")


def refused(_: _Request, error: DomainError) -> Response[Error]:
    if isinstance(error, TransitionNotAllowed):
        return _answer(HTTP_409_CONFLICT, f"status change not allowed: {error}")
    if isinstance(error, AlreadyExists):
        return _answer(HTTP_409_CONFLICT, f"already exists: {error}")
    return _answer(HTTP_409_CONFLICT, f"refused: {error.code}")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    HTTPException: http_error,
    InvalidValue: invalid_value,
    NotFound: not_found,
    DomainError: refused,
}
