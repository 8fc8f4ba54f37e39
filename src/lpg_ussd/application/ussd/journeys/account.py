"""My account: change the PIN, change the address; each confirmed by SMS."""

from __future__ import annotations

from lpg_ussd.application.ussd.journeys.common import invalid, menu, pin_format_ok, refused
from lpg_ussd.application.ussd.journeys.language import several_offered
from lpg_ussd.application.ussd.journeys.registration import parse_optional_address
from lpg_ussd.application.ussd.screens import (
    End,
    Go,
    HopContext,
    Outcome,
    Retry,
    ScreenRegistry,
    View,
    text_view,
)
from lpg_ussd.domain.customer import DigitalAddress, check_new_pin, parse_town
from lpg_ussd.domain.errors import InvalidValue

J = "account"


async def show_account(ctx: HopContext) -> View:
    options = [("account.change_pin", "acct_pin_current"), ("account.change_address", "acct_town")]
    if several_offered(ctx):
        options.append(("account.language", "language"))
    return menu(ctx, ctx.t("account.title"), options)


async def answer_account(ctx: HopContext, value: str) -> Outcome:
    return Go(value)


async def answer_current_pin(ctx: HopContext, text: str) -> Outcome:
    if not pin_format_ok(text):
        return Retry(ctx.t("reason.pin_format"))
    refusal = await ctx.services.verify_pin(ctx.customer.id, text)
    if refusal is not None:
        return refused(ctx, refusal)
    return Go("acct_pin_new")


async def answer_new_pin(ctx: HopContext, text: str) -> Outcome:
    try:
        pin = check_new_pin(text)
    except InvalidValue as error:
        return invalid(ctx, error)
    return Go("acct_pin_new2", {"new_pin_hash": await ctx.services.pins.hash(pin)})


async def answer_new_pin_again(ctx: HopContext, text: str) -> Outcome:
    pin_hash = ctx.data["new_pin_hash"]
    if not await ctx.services.pins.verify(pin_hash, text):
        return Go("acct_pin_new", reason=ctx.t("register.pins_differ"), rewind=True)
    await ctx.services.change_pin(ctx.customer.id, pin_hash)
    return End(ctx.t("account.pin_changed"))


async def answer_town(ctx: HopContext, text: str) -> Outcome:
    try:
        return Go("acct_address", {"new_town": parse_town(text)})
    except InvalidValue as error:
        return invalid(ctx, error)


async def answer_address(ctx: HopContext, text: str) -> Outcome:
    try:
        address = parse_optional_address(text)
    except InvalidValue as error:
        return invalid(ctx, error)
    town = ctx.data["new_town"]
    digital = DigitalAddress(address) if address else None
    await ctx.services.change_address(ctx.customer.id, town, digital)
    return End(
        ctx.t("account.address_changed", town=town, address=address or ctx.t("register.no_address"))
    )


def register(registry: ScreenRegistry) -> None:
    registry.menu("account", J, show_account, answer_account)
    pin_prompt = registry.prompt
    pin_prompt("acct_pin_current", J, text_view("account.current_pin"), answer_current_pin, True)
    pin_prompt("acct_pin_new", J, text_view("account.new_pin"), answer_new_pin, True)
    pin_prompt("acct_pin_new2", J, text_view("account.new_pin_again"), answer_new_pin_again, True)
    registry.prompt("acct_town", J, text_view("account.town"), answer_town)
    registry.prompt("acct_address", J, text_view("account.address"), answer_address)
