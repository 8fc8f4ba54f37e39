"""What every console page shares: the signed-in staff member, the menu their role sees,
flash messages, rendering, and turning a refused action into words."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from lpg_ussd.domain.errors import (
    AlreadyExists,
    DomainError,
    InvalidValue,
    NotFound,
    TransitionNotAllowed,
)
from lpg_ussd.domain.staff import Permission, StaffUser
from lpg_ussd.entrypoints.http.web import PAGE_HEADERS

PREFIX = "/admin"
SIGN_IN = f"{PREFIX}/sign-in"
AnyRequest = Request[Any, Any, State]
# The pages' security headers (a strict CSP: nothing inline, nothing from elsewhere), and no
# copy of a staff page kept by the browser or a proxy.
HEADERS = {h.name: str(h.value) for h in PAGE_HEADERS} | {"Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    permission: Permission


NAV = (
    NavItem("Home", PREFIX, Permission.FIGURES_READ),
    NavItem("Dashboard", f"{PREFIX}/dashboard", Permission.FIGURES_READ),
    NavItem("Customers", f"{PREFIX}/customers", Permission.CUSTOMERS_READ),
    NavItem("Orders", f"{PREFIX}/orders", Permission.ORDERS_READ),
    NavItem("Tickets", f"{PREFIX}/tickets", Permission.TICKETS_READ),
    NavItem("Catalogue", f"{PREFIX}/catalogue", Permission.CATALOGUE_READ),
    NavItem("Payments", f"{PREFIX}/payments", Permission.PAYMENTS_READ),
    NavItem("Outbox", f"{PREFIX}/outbox", Permission.CUSTOMERS_READ),
    NavItem("Audit", f"{PREFIX}/audit", Permission.AUDIT_READ),
    NavItem("Staff", f"{PREFIX}/staff", Permission.STAFF_ADMIN),
    NavItem("API keys", f"{PREFIX}/api-keys", Permission.STAFF_ADMIN),
)

# Why a value was refused, in staff's words (InvalidValue.reason -> text).
REASONS = {
    "phone_invalid": "That is not a phone number.",
    "price": "Prices must be more than zero and at most GHS 100,000.00.",
    "amount": "Type an amount in cedis, like 120.00.",
    "effective_from": "Give the date and time the price starts.",
    "username": "A username is 2 to 32 lower-case letters, digits, '.', '_' or '-', "
    "starting with a letter.",
    "password_length": "A password is 10 to 128 characters long.",
    "password_weak": "That password is too simple.",
    "scope": "Choose at least one scope.",
    "api_key_name": "A key's name is 2 to 40 letters, digits, '-' or '_'.",
    "role": "Choose a role.",
    "status": "Choose a status from the list.",
}


def container(request: AnyRequest) -> Any:
    return request.app.state.container


def staff(request: AnyRequest) -> StaffUser:
    """The signed-in staff member, loaded by the guard for this request."""
    user: StaffUser = request.state.staff
    return user


def actor(request: AnyRequest) -> str:
    return f"staff:{staff(request).username}"


def flash(request: AnyRequest, message: str, category: str = "success") -> None:
    if isinstance(request.scope.get("session"), dict):
        request.session.setdefault("flash", []).append({"message": message, "category": category})


def nav_for(user: StaffUser | None, path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    return [
        {"label": item.label, "href": item.href, "current": _current(item.href, path)}
        for item in NAV
        if user.can(item.permission)
    ]


def _current(href: str, path: str) -> bool:
    return path == href if href == PREFIX else path == href or path.startswith(href + "/")


def render(
    request: AnyRequest,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    user = getattr(request.state, "staff", None)
    session = request.scope.get("session")
    flashes = session.pop("flash", []) if isinstance(session, dict) else []
    return Template(
        template_name=f"admin/{template}",
        status_code=status_code,
        headers={**HEADERS, **(headers or {})},
        context={
            "user": user,
            "nav": nav_for(user, request.url.path),
            "flash_messages": flashes,
            "can": (lambda permission: user is not None and user.can(permission)),
            "P": Permission,
            "csrf_field": csrf_field(request),
            **context,
        },
    )


def csrf_field(request: AnyRequest) -> Markup:
    """The hidden field every posted form carries (the CSRF middleware checks it)."""
    token = ScopeState.from_scope(request.scope).csrf_token
    value = token if isinstance(token, str) else ""
    return Markup('<input type="hidden" name="_csrf_token" value="{}">').format(value)


def back(to: str) -> Redirect:
    return Redirect(to, status_code=303)


def explain(error: DomainError) -> str:
    if isinstance(error, InvalidValue):
        return REASONS.get(error.reason, f"That value is not accepted ({error.reason}).")
    if isinstance(error, NotFound):
        return f"Not found: {error}."
    if isinstance(error, TransitionNotAllowed):
        return f"That move is not allowed for this order ({error})."
    if isinstance(error, AlreadyExists):
        return "That exists already."
    return f"Refused: {error}."


async def attempt(
    request: AnyRequest, action: Callable[[], Awaitable[Any]], done: str, to: str
) -> Redirect:
    """Run a staff action; flash `done`, or why it was refused, and go back to `to`."""
    try:
        await action()
    except DomainError as error:
        flash(request, explain(error), "error")
    else:
        flash(request, done)
    return back(to)


async def form(request: AnyRequest) -> dict[str, str]:
    """The posted form's single values, trimmed."""
    data = await request.form()
    return {key: str(value).strip() for key, value in data.items()}


def printable(text: str, limit: int = 64) -> str:
    """A filter or search text as a database may take it: no control characters (PostgreSQL
    refuses a NUL), no more than `limit` characters."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:limit]


_REFERENCE = re.compile(r"[A-Z0-9-]{1,32}")
LARGEST_ID = 2**31 - 1


def order_reference(text: str) -> str:
    """An order reference as stored (upper case); "" (found nowhere) for anything else."""
    reference = text.strip().upper()
    return reference if _REFERENCE.fullmatch(reference) else ""


def row_id(number: int) -> int:
    """A path's id as a database may take it; 0 (found nowhere) when out of range."""
    return number if 1 <= number <= LARGEST_ID else 0
