"""Customer care: a call back, a gas leak, our numbers. Open to unregistered callers too."""

from __future__ import annotations

from lpg_ussd.application.ussd.journeys.common import menu
from lpg_ussd.application.ussd.screens import End, Go, HopContext, Outcome, ScreenRegistry, View
from lpg_ussd.domain.ticket import TicketTopic

J = "care"
TOPICS = [
    ("care.topic_order", TicketTopic.ORDER.value),
    ("care.topic_payment", TicketTopic.PAYMENT.value),
    ("care.topic_underweight", TicketTopic.UNDERWEIGHT.value),
    ("care.topic_leaking", TicketTopic.LEAKING.value),
    ("care.topic_damaged", TicketTopic.DAMAGED.value),
    ("care.topic_delivery", TicketTopic.DELIVERY.value),
    ("care.topic_other", TicketTopic.OTHER.value),
]


def _customer_id(ctx: HopContext) -> int | None:
    card = ctx.record.customer
    return card.id if card is not None else None


async def show_care(ctx: HopContext) -> View:
    return menu(
        ctx,
        ctx.t("care.title"),
        [("care.callback", "callback"), ("care.leak", "leak"), ("care.numbers", "numbers")],
    )


async def answer_care(ctx: HopContext, value: str) -> Outcome:
    if value == "callback":
        return Go("care_topic")
    if value == "leak":
        await ctx.services.report_leak(_customer_id(ctx), ctx.msisdn, ctx.texts.language)
        return End(ctx.t("care.leak_now"))
    b = ctx.brand
    return End(
        ctx.t(
            "care.our_numbers", company=b.company, care=b.care_number, emergency=b.emergency_number
        )
    )


async def show_topics(ctx: HopContext) -> View:
    return menu(ctx, ctx.t("care.topic"), TOPICS)


async def answer_topic(ctx: HopContext, value: str) -> Outcome:
    topic = TicketTopic(value)
    ticket = await ctx.services.request_callback(
        _customer_id(ctx), ctx.msisdn, topic, ctx.texts.language
    )
    return End(ctx.t("care.ticket", ticket=ticket.number))


def register(registry: ScreenRegistry) -> None:
    registry.menu("care", J, show_care, answer_care)
    registry.menu("care_topic", J, show_topics, answer_topic)
