"""The dashboard's charts: figures in, inline SVG out, drawn on the server.

No script and no `style` anywhere (the pages' Content-Security-Policy allows neither): shapes
carry SVG presentation attributes and the classes of static/charts.css. Every chart is an image
with a name (`role="img"`, `aria-label`, a `<title>`), every bar says its value as a tooltip
(`<title>`), and every chart is followed by its numbers in a table, so nothing needs the
picture. Every label is data and is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from lpg_ussd.application.figures import FunnelStep, NetworkSuccess
from lpg_ussd.application.ports import DayCount
from lpg_ussd.domain.money import PESEWAS_PER_CEDI, Money

# The screens' internal names, as staff read them.
SCREEN_LABELS = {
    "welcome": "Welcome",
    "main": "Main menu",
    "language": "Language",
    "reg_first": "Registration: first name",
    "reg_last": "Registration: last name",
    "reg_town": "Registration: town",
    "reg_address": "Registration: GPS address",
    "reg_pin": "Registration: PIN",
    "reg_pin2": "Registration: PIN again",
    "reg_confirm": "Registration: confirm",
    "dep_menu": "Deposit: menu",
    "dep_cylinders": "Deposit: cylinder",
    "dep_confirm": "Deposit: confirm",
    "pay_method": "Payment: method",
    "pay_wallet_pin": "Payment: wallet PIN",
    "topup_amount": "Top-up: amount",
    "topup_confirm": "Top-up: confirm",
    "topup_network": "Top-up: network",
    "orders": "Orders: list",
    "order_detail": "Orders: detail",
    "order_cancel_pin": "Orders: cancel PIN",
    "balance_pin": "Balance: PIN",
    "care": "Care: menu",
    "care_topic": "Care: topic",
    "refill": "Refill: menu",
    "refill_confirm": "Refill: confirm",
    "refill_repeat": "Refill: repeat last",
    "account": "Account: menu",
    "acct_pin_current": "Account: current PIN",
    "acct_pin_new": "Account: new PIN",
    "acct_pin_new2": "Account: new PIN again",
    "acct_town": "Account: town",
    "acct_address": "Account: address",
}

JOURNEY_LABELS = {
    "menu": "Menus",
    "registration": "Registration",
    "deposit": "Deposit and top-up",
    "orders": "Order status",
    "balance": "Balance",
    "care": "Customer care",
    "refill": "Refill",
    "account": "My account",
}

NETWORK_LABELS = {
    "mtn": "MTN MoMo",
    "telecel": "Telecel Cash",
    "airteltigo": "AirtelTigo Money",
}


def screen_label(screen: str) -> str:
    return SCREEN_LABELS.get(screen, screen.replace("_", " ").capitalize())


def journey_label(journey: str) -> str:
    return JOURNEY_LABELS.get(journey, journey.replace("_", " ").capitalize())


def network_label(network: str) -> str:
    return NETWORK_LABELS.get(network, network)


# --- Scales -------------------------------------------------------------------------------


def _steps() -> Iterable[int]:
    """1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, ...: the round steps of an axis."""
    yield from (1, 2, 5)
    magnitude = 10
    while True:
        for factor in (1, 2, 2.5, 5):
            yield int(factor * magnitude)
        magnitude *= 10


def nice_ticks(peak: int, intervals: int = 4, smallest: int = 1) -> list[int]:
    """Round tick values from 0 to at least `peak`, at most `intervals` steps of a round size
    no smaller than `smallest` (one cedi, for an axis counted in pesewas)."""
    if peak <= 0:
        return [0]
    for step in _steps():
        if step >= smallest and step * intervals >= peak:
            top = -(-peak // step) * step
            return list(range(0, top + 1, step))
    raise AssertionError("unreachable")  # pragma: no cover


def compact(number: int) -> str:
    """An axis label: 950, 1,500, 25k, 1.5M."""
    for at_least, size, suffix in (
        (1_000_000_000, 1_000_000_000, "B"),
        (1_000_000, 1_000_000, "M"),
        (10_000, 1_000, "k"),
    ):
        if abs(number) >= at_least:
            text = f"{number / size:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return f"{number:,}"


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _num(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".removesuffix(".0")


# --- Pieces ---------------------------------------------------------------------------------


def _svg(label: str, width: int, height: int, body: Iterable[str]) -> Markup:
    name = escape(label)
    return Markup(
        f'<svg class="chart-svg" role="img" aria-label="{name}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{name}</title>{"".join(body)}</svg>'
    )


def _rect(cls: str, x: float, y: float, width: float, height: float, tip: str) -> str:
    return (
        f'<rect class="{cls}" x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" '
        f'height="{_num(height)}"><title>{escape(tip)}</title></rect>'
    )


def _text(cls: str, x: float, y: float, text: str, anchor: str = "start") -> str:
    return (
        f'<text class="{cls}" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> Markup:
    header = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in head)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return Markup(
        f'<details class="chart-data"><summary>{escape(caption)}</summary>'
        f'<table class="chart-table"><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table></details>"
    )


def _figure(title: str, svg: Markup, table: Markup) -> Markup:
    return Markup(
        f'<figure class="chart"><figcaption class="chart-title">{escape(title)}</figcaption>'
        f"{svg}{table}</figure>"
    )


# --- Bars per day ---------------------------------------------------------------------------

DAY_WIDTH, DAY_HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 32


@dataclass(frozen=True, slots=True)
class Measure:
    """What a chart per day shows of a DayCount, and how it says it."""

    noun: str  # "sessions"
    value: Callable[[DayCount], int]
    say: Callable[[int], str]  # a value in full, for tooltips and the table
    axis: Callable[[int], str] = compact  # a tick, short
    smallest_step: int = 1


def counted(noun: str) -> Measure:
    return Measure(noun, lambda day: day.count, lambda n: f"{n:,}")


def amounts(noun: str, currency: str) -> Measure:
    """Money per day, in pesewas inside and `GHS 1,234.50` outside; ticks in whole cedis."""
    return Measure(
        noun,
        lambda day: day.amount.pesewas,
        lambda pesewas: Money(pesewas).format(currency),
        lambda pesewas: f"{currency} {compact(pesewas // PESEWAS_PER_CEDI)}",
        smallest_step=PESEWAS_PER_CEDI,
    )


def bars_per_day(
    title: str, days: Sequence[DayCount], measure: Measure, width: int = DAY_WIDTH
) -> Markup:
    """A bar per day on a round-ticked axis; `No <noun> yet` when every day is zero. `width`
    is that of the drawing: a chart across the page is wider, so its letters stay small."""
    values = [measure.value(day) for day in days]
    ticks = nice_ticks(max(values, default=0), smallest=measure.smallest_step)
    top = ticks[-1] or 1
    plot_w = width - LEFT - RIGHT
    plot_h = DAY_HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    body: list[str] = []
    for tick in ticks:
        y = base - tick / top * plot_h
        body.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{LEFT + plot_w}" '
            f'y1="{_num(y)}" y2="{_num(y)}"/>'
        )
        body.append(_text("chart-tick", LEFT - 6, y + 4, measure.axis(tick), "end"))
    slot = plot_w / max(len(days), 1)
    bar = min(slot * 0.72, 48)
    every = -(-len(days) // 10) or 1  # at most about ten day labels
    for n, (day, value) in enumerate(zip(days, values, strict=True)):
        x = LEFT + n * slot + (slot - bar) / 2
        height = value / top * plot_h
        tip = f"{day_label(day.day)}: {measure.say(value)} {measure.noun}"
        body.append(_rect("chart-bar", x, base - height, bar, height, tip))
        if (len(days) - 1 - n) % every == 0:  # the latest day always has its label
            body.append(_text("chart-tick", x + bar / 2, base + 18, day_label(day.day), "middle"))
    body.append(
        f'<line class="chart-axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{base}" y2="{base}"/>'
    )
    if not any(values):
        body.append(
            _text(
                "chart-empty",
                LEFT + plot_w / 2,
                TOP + plot_h / 2,
                f"No {measure.noun} yet",
                "middle",
            )
        )
    total = measure.say(sum(values))
    svg = _svg(f"{title}: {total} {measure.noun} over {len(days)} days", width, DAY_HEIGHT, body)
    table = _table(
        f"{title}: the numbers",
        ["Day", measure.noun.capitalize()],
        [
            (day.day.isoformat(), measure.say(value))
            for day, value in zip(days, values, strict=True)
        ],
    )
    return _figure(title, svg, table)


# --- Payments by network --------------------------------------------------------------------

NET_WIDTH, NET_ROW, NET_LEFT, NET_RIGHT, NET_TOP = 640, 34, 140, 150, 28


def rate_text(network: NetworkSuccess) -> str:
    rate = network.rate
    return "none settled" if rate is None else f"{rate:.0%} succeeded"


def payment_success(
    title: str, networks: Sequence[NetworkSuccess], width: int = NET_WIDTH
) -> Markup:
    """A stacked bar per network (succeeded, failed, pending), lengths on one scale."""
    peak = max((n.succeeded + n.failed + n.pending for n in networks), default=0) or 1
    plot_w = width - NET_LEFT - NET_RIGHT
    height = NET_TOP + NET_ROW * max(len(networks), 1) + 8
    body = [_legend()]
    for row, network in enumerate(networks):
        y = NET_TOP + row * NET_ROW
        name = network_label(network.network)
        body.append(_text("chart-label", NET_LEFT - 8, y + 18, name, "end"))
        x = float(NET_LEFT)
        for cls, count, word in (
            ("chart-ok", network.succeeded, "succeeded"),
            ("chart-bad", network.failed, "failed"),
            ("chart-wait", network.pending, "pending"),
        ):
            length = count / peak * plot_w
            if count:
                body.append(_rect(cls, x, y + 4, length, 20, f"{name}: {count:,} {word}"))
            x += length
        body.append(_text("chart-value", x + 6, y + 18, rate_text(network)))
    if not networks:
        body.append(_text("chart-empty", width / 2, NET_TOP + 20, "No payments yet", "middle"))
    summary = "; ".join(f"{network_label(n.network)} {rate_text(n)}" for n in networks)
    svg = _svg(f"{title}: {summary or 'no payments yet'}", width, height, body)
    table = _table(
        f"{title}: the numbers",
        ["Network", "Succeeded", "Failed", "Pending", "Success rate"],
        [
            (
                network_label(n.network),
                f"{n.succeeded:,}",
                f"{n.failed:,}",
                f"{n.pending:,}",
                "–" if n.rate is None else f"{n.rate:.0%}",
            )
            for n in networks
        ],
    )
    return _figure(title, svg, table)


def _legend() -> str:
    items = (("chart-ok", "Succeeded"), ("chart-bad", "Failed"), ("chart-wait", "Pending"))
    parts = []
    for n, (cls, word) in enumerate(items):
        x = NET_LEFT + n * 110
        parts.append(f'<rect class="{cls}" x="{x}" y="6" width="12" height="12"/>')
        parts.append(_text("chart-tick", x + 18, 16, word))
    return f'<g class="chart-legend" aria-hidden="true">{"".join(parts)}</g>'


# --- The funnel of a journey ----------------------------------------------------------------

FUNNEL_WIDTH, FUNNEL_ROW, FUNNEL_LEFT, FUNNEL_RIGHT = 640, 28, 200, 170


def funnel(journey: str, steps: Sequence[FunnelStep]) -> Markup:
    """A horizontal bar per screen: the sessions that reached it, and, darker at its end,
    those that dropped off there."""
    title = journey_label(journey)
    peak = max((step.reached for step in steps), default=0)
    plot_w = FUNNEL_WIDTH - FUNNEL_LEFT - FUNNEL_RIGHT
    # An empty funnel is its message alone; its screens are still in the table.
    height = 8 + FUNNEL_ROW * (len(steps) if peak else 1)
    body: list[str] = []
    for row, step in enumerate(steps if peak else []):
        y = 4 + row * FUNNEL_ROW
        name = screen_label(step.screen)
        body.append(_text("chart-label", FUNNEL_LEFT - 8, y + 16, name, "end"))
        reached = step.reached / peak * plot_w if peak else 0
        dropped = step.dropped / peak * plot_w if peak else 0
        if step.reached:
            tip = f"{name}: {step.reached:,} reached"
            body.append(_rect("chart-bar", FUNNEL_LEFT, y + 3, reached, 18, tip))
        if step.dropped:
            tip = f"{name}: {step.dropped:,} dropped off here"
            body.append(
                _rect("chart-drop", FUNNEL_LEFT + reached - dropped, y + 3, dropped, 18, tip)
            )
        words = f"{step.reached:,} reached, {step.dropped:,} dropped"
        body.append(_text("chart-value", FUNNEL_LEFT + reached + 6, y + 16, words))
    if not peak:
        body.append(
            _text(
                "chart-empty",
                FUNNEL_WIDTH / 2,
                height / 2 + 5,
                "No sessions ended here yet",
                "middle",
            )
        )
    first = steps[0].reached if steps else 0
    label = f"Funnel of {title}: {first:,} sessions reached its first screen"
    svg = _svg(label, FUNNEL_WIDTH, height, body)
    table = _table(
        f"{title}: the numbers",
        ["Screen", "Reached", "Dropped off", "Completed", "Failed"],
        [
            (
                screen_label(s.screen),
                f"{s.reached:,}",
                f"{s.dropped:,}",
                f"{s.completed:,}",
                f"{s.failed:,}",
            )
            for s in steps
        ],
    )
    return _figure(f"Funnel: {title}", svg, table)
