"""Unknown number: the welcome screen and registration, one screen per answer."""

from __future__ import annotations

from lpg_ussd.application.customers import Registration
from lpg_ussd.application.ussd.journeys.common import invalid, menu
from lpg_ussd.application.ussd.journeys.language import several_offered
from lpg_ussd.application.ussd.screens import (
    End,
    Go,
    HopContext,
    Outcome,
    ScreenRegistry,
    View,
    text_view,
)
from lpg_ussd.domain.customer import DigitalAddress, check_new_pin, parse_name, parse_town
from lpg_ussd.domain.errors import AlreadyExists, InvalidValue
from lpg_ussd.domain.msisdn import Msisdn

SKIP = "9"
J = "registration"


async def show_welcome(ctx: HopContext) -> View:
    options = [("welcome.register", "reg_first"), ("welcome.care", "care")]
    if several_offered(ctx):
        options.append(("welcome.language", "language"))
    return menu(ctx, ctx.t("welcome.title", company=ctx.brand.company), options)


async def answer_welcome(ctx: HopContext, value: str) -> Outcome:
    return Go(value)


async def answer_first(ctx: HopContext, text: str) -> Outcome:
    try:
        return Go("reg_last", {"first_name": parse_name(text)})
    except InvalidValue as error:
        return invalid(ctx, error)


async def answer_last(ctx: HopContext, text: str) -> Outcome:
    try:
        return Go("reg_town", {"last_name": parse_name(text)})
    except InvalidValue as error:
        return invalid(ctx, error)


async def answer_town(ctx: HopContext, text: str) -> Outcome:
    try:
        return Go("reg_address", {"town": parse_town(text)})
    except InvalidValue as error:
        return invalid(ctx, error)


def parse_optional_address(text: str) -> str | None:
    """`9` skips; anything else must be a GhanaPost GPS address."""
    return None if text == SKIP else DigitalAddress.parse(text).value


async def answer_address(ctx: HopContext, text: str) -> Outcome:
    try:
        return Go("reg_pin", {"address": parse_optional_address(text)})
    except InvalidValue as error:
        return invalid(ctx, error)


async def answer_pin(ctx: HopContext, text: str) -> Outcome:
    try:
        pin = check_new_pin(text)
    except InvalidValue as error:
        return invalid(ctx, error)
    return Go("reg_pin2", {"pin_hash": await ctx.services.pins.hash(pin)})


async def answer_pin_again(ctx: HopContext, text: str) -> Outcome:
    if not await ctx.services.pins.verify(ctx.data["pin_hash"], text):
        return Go("reg_pin", {"pin_hash": None}, reason=ctx.t("register.pins_differ"), rewind=True)
    return Go("reg_confirm")


async def show_summary(ctx: HopContext) -> View:
    d = ctx.data
    address = d.get("address") or ctx.t("register.no_address")
    text = ctx.t(
        "register.summary",
        first=d["first_name"],
        last=d["last_name"],
        town=d["town"],
        address=address,
    )
    return menu(ctx, text, [("common.confirm", "confirm"), ("common.start_again", "again")])


async def answer_summary(ctx: HopContext, value: str) -> Outcome:
    if value == "again":
        ctx.data.clear()
        return Go("reg_first", reset=True)
    d = ctx.data
    registration = Registration(
        msisdn=Msisdn(ctx.msisdn),
        first_name=d["first_name"],
        last_name=d["last_name"],
        town=d["town"],
        digital_address=DigitalAddress(d["address"]) if d.get("address") else None,
        pin_hash=d["pin_hash"],
        language=ctx.record.language or ctx.texts.language,
    )
    try:
        await ctx.services.register(registration)
    except AlreadyExists:
        return End(ctx.t("register.taken"))
    return End(ctx.t("register.done", first=d["first_name"]))


def register(registry: ScreenRegistry) -> None:
    registry.menu("welcome", "menu", show_welcome, answer_welcome)
    registry.prompt("reg_first", J, text_view("register.first_name"), answer_first)
    registry.prompt("reg_last", J, text_view("register.last_name"), answer_last)
    registry.prompt("reg_town", J, text_view("register.town"), answer_town)
    registry.prompt("reg_address", J, text_view("register.address"), answer_address)
    registry.prompt("reg_pin", J, text_view("register.pin"), answer_pin, sensitive=True)
    registry.prompt(
        "reg_pin2", J, text_view("register.pin_again"), answer_pin_again, sensitive=True
    )
    registry.menu("reg_confirm", J, show_summary, answer_summary)
