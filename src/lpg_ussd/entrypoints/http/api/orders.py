"""Orders: list them, read one with its payments, move one on (each move SMSes the customer)."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, SkipValidation
from litestar.status_codes import HTTP_200_OK

from lpg_ussd.application.staff import GetOrderFile, ListOrders, MoveOrder
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.order import OrderStatus
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.api import schemas
from lpg_ussd.entrypoints.http.api.params import (
    READ,
    READ_ONE,
    WRITE,
    Limit,
    Reference,
    parse_reference,
)
from lpg_ussd.entrypoints.http.api.schemas import MoveOrderIn, OrderFileOut, OrderList, OrderOut

Currency = SkipValidation[NamedDependency[str]]


@get(
    "/orders",
    opt={"permission": Permission.ORDERS_READ},
    responses=READ,
    summary="List orders",
    description="Newest first, optionally only those in one status.",
)
async def list_orders_route(
    list_orders: SkipValidation[NamedDependency[ListOrders]],
    currency: Currency,
    status: FromQuery[OrderStatus | None] = None,
    limit: Limit = 50,
) -> OrderList:
    return OrderList([schemas.order_out(o, currency) for o in await list_orders(status, limit)])


@get(
    "/orders/{reference:str}",
    opt={"permission": Permission.ORDERS_READ},
    responses=READ_ONE,
    summary="An order",
    description="The order, its customer and its payment attempts. The reference is read in"
    " any case (`ng-7kq2mx` is `NG-7KQ2MX`).",
)
async def order_file_route(
    reference: Reference,
    order_file: SkipValidation[NamedDependency[GetOrderFile]],
    currency: Currency,
) -> OrderFileOut:
    order, customer, payments = await order_file(parse_reference(reference))
    return OrderFileOut(
        schemas.order_out(order, currency),
        schemas.customer_out(customer) if customer else None,
        [schemas.payment_out(p, currency) for p in payments],
    )


@post(
    "/orders/{reference:str}/status",
    opt={"permission": Permission.ORDERS_WRITE},
    responses=WRITE,
    status_code=HTTP_200_OK,
    summary="Move an order on",
    description="`paid`, `dispatched`, `delivered`, or `cancelled` (a cancel refunds what was"
    " paid to the customer's wallet). Each change sends the customer an SMS; a move the order"
    " cannot make answers 409.",
)
async def move_order_route(
    reference: Reference,
    data: JSONBody[MoveOrderIn],
    api_key: SkipValidation[NamedDependency[ApiKey]],
    move_order: SkipValidation[NamedDependency[MoveOrder]],
    currency: Currency,
) -> OrderOut:
    status = OrderStatus(data.status.value)
    order = await move_order(parse_reference(reference), status, actor=api_key.actor)
    return schemas.order_out(order, currency)


routes = [list_orders_route, order_file_route, move_order_route]
