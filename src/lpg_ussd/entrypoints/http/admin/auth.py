"""Who may use the console: sign-in and sign-out, and the guard on every /admin route.

Every /admin route handler declares what it needs in `opt`: `{"permission": Permission.X}`,
or `{"public": True}` for signing in and out. A route under /admin declaring neither is
refused to everyone, so a forgotten declaration fails closed."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from lpg_ussd.application.staff_accounts import SignInRefusal, SignInRefused
from lpg_ussd.domain.staff import StaffUser
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    SIGN_IN,
    AnyRequest,
    back,
    container,
    form,
    render,
)
from lpg_ussd.entrypoints.http.admin.session import renew_session

PUBLIC = {"public": True}
REFUSALS = {
    SignInRefusal.WRONG: "Wrong username or password.",
    SignInRefusal.LOCKED: "Too many failed attempts: this account is locked for 15 minutes. "
    "An admin can unlock it sooner.",
    SignInRefusal.INACTIVE: "This account is switched off. Ask an admin.",
}


class SignInRequired(NotAuthorizedException):
    detail = "Sign in to the staff console first"


class NotPermitted(PermissionDeniedException):
    detail = "Your role does not allow this"


def is_console(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


async def console_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Loads the signed-in staff member (each request: an account switched off is out at
    once) and checks the permission the route declares."""
    if handler.opt.get("public"):
        return
    user = await signed_in(connection)
    if user is None:
        raise SignInRequired()
    connection.state.staff = user
    permission = handler.opt.get("permission")
    if permission is None or not user.can(permission):
        raise NotPermitted()


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffUser | None:
    session = connection.scope.get("session")
    if not isinstance(session, dict) or not isinstance(session.get("uid"), int):
        return None
    hours = connection.app.state.settings.staff_session_hours
    if time.time() - float(session.get("at", 0)) > hours * 3600:
        connection.clear_session()
        return None
    user: StaffUser | None = await connection.app.state.container.get_staff()(session["uid"])
    if user is None or not user.active:
        connection.clear_session()
        return None
    return user


def on_sign_in_required(request: AnyRequest, _: SignInRequired) -> Response[Any]:
    if request.method in ("GET", "HEAD"):
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"{SIGN_IN}?next={quote(path)}", status_code=303)
    return Response(SignInRequired.detail, status_code=401, media_type=MediaType.TEXT)


def on_not_permitted(request: AnyRequest, _: NotPermitted) -> Response[Any]:
    return render(request, "forbidden.html", status_code=403)


exception_handlers: ExceptionHandlersMap = {
    SignInRequired: on_sign_in_required,
    NotPermitted: on_not_permitted,
}


def safe_next(target: str | None) -> str:
    """Only back into the console: never to another site."""
    if target and is_console(target.split("?", 1)[0]) and "//" not in target and "\\" not in target:
        return target
    return PREFIX


@get(SIGN_IN, opt=PUBLIC, name="admin-sign-in")
async def sign_in_page(
    request: AnyRequest, next: FromQuery[str | None] = None
) -> Template | Redirect:
    if await signed_in(request) is not None:
        return back(safe_next(next))
    signed_out = request.query_params.get("signed_out") == "1"
    return render(request, "sign_in.html", next=safe_next(next), signed_out=signed_out)


@post(SIGN_IN, opt=PUBLIC)
async def sign_in(request: AnyRequest) -> Template | Redirect:
    data = await form(request)
    source = request.client.host if request.client else ""
    try:
        user = await container(request).sign_in()(
            data.get("username", ""), data.get("password", ""), source
        )
    except SignInRefused as refused:
        return render(
            request,
            "sign_in.html",
            status_code=401,
            error=REFUSALS[refused.why],
            username=data.get("username", "")[:64],
            next=safe_next(data.get("next")),
        )
    renew_session(request)
    request.set_session({"uid": user.id, "at": time.time()})
    return back(safe_next(data.get("next")))


@post(f"{PREFIX}/sign-out", opt=PUBLIC)
async def sign_out(request: AnyRequest) -> Redirect:
    request.clear_session()
    return back(f"{SIGN_IN}?signed_out=1")


routes = [sign_in_page, sign_in, sign_out]
