"""Orders: filter by status, move one on as the status machine allows, cancel with refund."""

from __future__ import annotations

from dataclasses import replace

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from lpg_ussd.domain.errors import DomainError, InvalidValue
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    actor,
    attempt,
    back,
    container,
    explain,
    flash,
    form,
    order_reference,
    render,
)

READ = {"permission": Permission.ORDERS_READ}
WRITE = {"permission": Permission.ORDERS_WRITE}
# What staff may move an order to by hand (cancelling has its own confirmation).
STAFF_MOVES = (OrderStatus.PAID, OrderStatus.DISPATCHED, OrderStatus.DELIVERED)
LABELS = {
    OrderStatus.PAID: "Mark paid",
    OrderStatus.DISPATCHED: "Dispatch",
    OrderStatus.DELIVERED: "Mark delivered",
}


def moves(order: Order) -> list[OrderStatus]:
    """The moves the status machine allows from where the order is."""
    allowed = []
    for status in STAFF_MOVES:
        trial = replace(order)
        try:
            trial.move_to(status, order.status_changed_at)
        except DomainError:
            continue
        allowed.append(status)
    return allowed


def parse_status(text: str) -> OrderStatus | None:
    try:
        return OrderStatus(text) if text else None
    except ValueError as error:
        raise InvalidValue("status") from error


def order_url(reference: str) -> str:
    return f"{PREFIX}/orders/{reference}"


@get(f"{PREFIX}/orders", opt=READ)
async def orders(request: AnyRequest, status: FromQuery[str] = "") -> Template:
    try:
        found = await container(request).list_orders()(parse_status(status), limit=100)
    except DomainError as error:
        flash(request, explain(error), "error")
        found = []
    statuses = [s.value for s in OrderStatus]
    return render(request, "orders.html", orders=found, status=status, statuses=statuses)


@get(f"{PREFIX}/orders/{{reference:str}}", opt=READ)
async def order(request: AnyRequest, reference: FromPath[str]) -> Template | Redirect:
    reference = order_reference(reference)
    try:
        found, customer, payments = await container(request).order_file()(reference)
    except DomainError as error:
        flash(request, explain(error), "error")
        return back(f"{PREFIX}/orders")
    return render(
        request,
        "order.html",
        order=found,
        customer=customer,
        payments=payments,
        moves=[(s.value, LABELS[s]) for s in moves(found)],
    )


@post(f"{PREFIX}/orders/{{reference:str}}/move", opt=WRITE)
async def move(request: AnyRequest, reference: FromPath[str]) -> Redirect:
    reference = order_reference(reference)
    target = (await form(request)).get("status", "")
    allowed = {s.value for s in STAFF_MOVES}

    async def run() -> None:
        if target not in allowed:
            raise InvalidValue("status")
        await container(request).move_order()(reference, OrderStatus(target), actor=actor(request))

    done = f"Order {reference} is now {target.replace('_', ' ')}; an SMS tells the customer."
    return await attempt(request, run, done, order_url(reference))


@get(f"{PREFIX}/orders/{{reference:str}}/cancel", opt=WRITE)
async def cancel_page(request: AnyRequest, reference: FromPath[str]) -> Template | Redirect:
    reference = order_reference(reference)
    try:
        found, customer, _ = await container(request).order_file()(reference)
    except DomainError as error:
        flash(request, explain(error), "error")
        return back(f"{PREFIX}/orders")
    if not found.can_cancel:
        flash(request, f"Order {reference} can no longer be cancelled.", "error")
        return back(order_url(reference))
    return render(request, "order_cancel.html", order=found, customer=customer)


@post(f"{PREFIX}/orders/{{reference:str}}/cancel", opt=WRITE)
async def cancel(request: AnyRequest, reference: FromPath[str]) -> Redirect:
    reference = order_reference(reference)
    return await attempt(
        request,
        lambda: container(request).move_order()(
            reference, OrderStatus.CANCELLED, actor=actor(request)
        ),
        f"Order {reference} cancelled; what was paid went back to the wallet, and an SMS "
        "tells the customer.",
        order_url(reference),
    )


routes = [orders, order, move, cancel_page, cancel]
