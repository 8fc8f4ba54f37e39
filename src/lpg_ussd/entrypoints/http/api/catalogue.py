"""The catalogue: cylinder types with the prices in force, price changes from a date, on sale."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import JSONBody, SkipValidation
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from lpg_ussd.application.catalogue_admin import ChangePrice, SetCylinderOnSale, ViewCatalogue
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.api import schemas
from lpg_ussd.entrypoints.http.api.params import READ, WRITE, RowId
from lpg_ussd.entrypoints.http.api.schemas import (
    CatalogueOut,
    ChangePriceIn,
    OnSaleIn,
    OnSaleOut,
    PriceChangeOut,
)

Key = SkipValidation[NamedDependency[ApiKey]]
Currency = SkipValidation[NamedDependency[str]]
T = TypeVar("T")


async def strictly(request: Request[Any, Any, Any], schema: type[T]) -> T:
    """The body read again without Litestar's lax conversion: a price sent as the string
    "120.00" is refused, not taken as 120 pesewas."""
    try:
        return msgspec.json.decode(await request.body(), type=schema, strict=True)
    except msgspec.ValidationError as error:
        raise ValidationException(extra=[{"source": "body", "message": str(error)}]) from error


@get(
    "/catalogue",
    opt={"permission": Permission.CATALOGUE_READ},
    responses=READ,
    summary="The catalogue",
    description="Every cylinder type with the price in force now, on sale or not, and the"
    " price changes that take effect later.",
)
async def catalogue_route(
    view_catalogue: SkipValidation[NamedDependency[ViewCatalogue]], currency: Currency
) -> CatalogueOut:
    return schemas.catalogue_out(await view_catalogue(), currency)


@post(
    "/catalogue/{type_id:int}/prices",
    opt={"permission": Permission.CATALOGUE_WRITE},
    responses=WRITE,
    status_code=HTTP_201_CREATED,
    summary="Change a cylinder type's prices",
    description="A new deposit and gas price in pesewas (1 to 10,000,000 each), from"
    " `effective_from` (ISO 8601 with a time zone) or from now. The regulator resets the price"
    " floor twice a month: a change may be entered ahead of its date.",
)
async def change_price_route(
    request: Request[Any, Any, Any],
    type_id: RowId,
    data: JSONBody[ChangePriceIn],
    api_key: Key,
    change_price: SkipValidation[NamedDependency[ChangePrice]],
    currency: Currency,
) -> PriceChangeOut:
    data = await strictly(request, ChangePriceIn)
    deposit, gas = Money(data.deposit_pesewas), Money(data.gas_price_pesewas)
    change = await change_price(type_id, deposit, gas, data.effective_from, actor=api_key.actor)
    return schemas.price_change_out(change, currency)


@post(
    "/catalogue/{type_id:int}/on-sale",
    opt={"permission": Permission.CATALOGUE_WRITE},
    responses=WRITE,
    status_code=HTTP_200_OK,
    summary="Put a cylinder type on sale or take it off",
    description="A type off sale is no longer offered to customers; orders already placed"
    " stay as they are.",
)
async def on_sale_route(
    type_id: RowId,
    request: Request[Any, Any, Any],
    data: JSONBody[OnSaleIn],
    api_key: Key,
    set_cylinder_on_sale: SkipValidation[NamedDependency[SetCylinderOnSale]],
) -> OnSaleOut:
    data = await strictly(request, OnSaleIn)
    await set_cylinder_on_sale(type_id, data.on_sale, actor=api_key.actor)
    return OnSaleOut(type_id, data.on_sale)


routes = [catalogue_route, change_price_route, on_sale_route]
