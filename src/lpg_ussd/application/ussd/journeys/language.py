"""Choosing the language: from the welcome screen, or under My account (kept on the customer)."""

from __future__ import annotations

import msgspec

from lpg_ussd.application.ussd.screens import (
    Choice,
    Home,
    HopContext,
    Outcome,
    ScreenRegistry,
    View,
)


def offered(ctx: HopContext) -> list[tuple[str, str]]:
    return ctx.languages.offered() if ctx.languages is not None else []


def several_offered(ctx: HopContext) -> bool:
    return len(offered(ctx)) > 1


async def show_languages(ctx: HopContext) -> View:
    choices = tuple(Choice(str(i), name, code) for i, (code, name) in enumerate(offered(ctx), 1))
    return View(ctx.t("language.title"), choices)


async def answer_language(ctx: HopContext, code: str) -> Outcome:
    record = ctx.record
    record.language = code
    if record.customer is not None:
        await ctx.services.change_language(record.customer.id, code)
        record.customer = msgspec.structs.replace(record.customer, language=code)
    name = dict(offered(ctx)).get(code, code)
    # The next screen is drawn in the new language, its name on top.
    return Home(
        reason=ctx.languages.texts(code)("language.chosen", name=name) if ctx.languages else None
    )


def register(registry: ScreenRegistry) -> None:
    registry.menu("language", "menu", show_languages, answer_language)
