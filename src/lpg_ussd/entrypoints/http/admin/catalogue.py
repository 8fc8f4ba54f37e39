"""The catalogue: cylinder types with today's prices and the changes to come; a new price
from a date; a type on or off sale. Amounts are typed in cedis, like 120.00."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    actor,
    attempt,
    container,
    form,
    render,
    row_id,
)

READ = {"permission": Permission.CATALOGUE_READ}
WRITE = {"permission": Permission.CATALOGUE_WRITE}
CATALOGUE = f"{PREFIX}/catalogue"
# Commas only as thousands separators: `1,200.50`, never `12,50`.
CEDIS = re.compile(r"^(\d{1,3}(?:,\d{3}){1,2}|\d{1,7})(?:\.(\d{2}))?$")


def parse_cedis(text: str) -> Money:
    """`120`, `120.00`, `1,200.50`: whole cedis and two-digit pesewas, nothing else."""
    match = CEDIS.match(text.strip())
    if match is None:
        raise InvalidValue("amount")
    return Money(int(match.group(1).replace(",", "")) * 100 + int(match.group(2) or 0))


def parse_when(text: str) -> datetime | None:
    """A date, or a date and time, in Ghana's time (GMT); empty: now."""
    if not text.strip():
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidValue("effective_from") from error
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@get(CATALOGUE, opt=READ)
async def catalogue(request: AnyRequest) -> Template:
    view = await container(request).view_catalogue()()
    labels = {c.id: c.label for c in view.cylinders}
    return render(request, "catalogue.html", view=view, labels=labels)


@post(f"{CATALOGUE}/{{type_id:int}}/price", opt=WRITE)
async def change_price(request: AnyRequest, type_id: FromPath[int]) -> Redirect:
    data = await form(request)
    return await attempt(
        request,
        lambda: container(request).change_price()(
            row_id(type_id),
            parse_cedis(data.get("deposit", "")),
            parse_cedis(data.get("gas_price", "")),
            parse_when(data.get("effective_from", "")),
            actor=actor(request),
        ),
        "Price change saved.",
        CATALOGUE,
    )


@post(f"{CATALOGUE}/{{type_id:int}}/sale", opt=WRITE)
async def set_on_sale(request: AnyRequest, type_id: FromPath[int]) -> Redirect:
    on_sale = (await form(request)).get("on_sale") == "1"
    chosen = row_id(type_id)
    return await attempt(
        request,
        lambda: container(request).set_cylinder_on_sale()(chosen, on_sale, actor=actor(request)),
        "Now on sale." if on_sale else "Taken off sale.",
        CATALOGUE,
    )


routes = [catalogue, change_price, set_on_sale]
