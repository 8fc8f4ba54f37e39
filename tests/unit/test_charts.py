"""The dashboard's charts as pure functions: bars in proportion, round ticks, sensible with no
data, one day or big numbers, every label escaped, and accessible without the picture."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lpg_ussd.application.figures import FunnelStep, NetworkSuccess
from lpg_ussd.application.ports import DayCount
from lpg_ussd.application.ussd.journeys import journey_screens
from lpg_ussd.domain.money import Money
from lpg_ussd.entrypoints.http import charts

DAY = date(2025, 3, 1)
RECT = re.compile(
    r'<rect class="(chart-[a-z]+)" x="([\d.]+)" y="([\d.]+)" '
    r'width="([\d.]+)" height="([\d.]+)"><title>([^<]*)</title>'
)
TICK = re.compile(r'<text class="chart-tick" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<')


def days(*counts: int, amounts: tuple[int, ...] = ()) -> list[DayCount]:
    return [
        DayCount(DAY + timedelta(days=n), count, Money(amounts[n] if amounts else 0))
        for n, count in enumerate(counts)
    ]


def bars(markup: str, cls: str = "chart-bar") -> list[tuple[float, float, float, float, str]]:
    return [
        (float(x), float(y), float(w), float(h), tip)
        for found_cls, x, y, w, h, tip in RECT.findall(markup)
        if found_cls == cls
    ]


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (99, [0, 25, 50, 75, 100]),
        (1_234_567, [0, 500_000, 1_000_000, 1_500_000]),
    ],
)
def test_ticks_are_round_and_cover_the_peak(peak: int, ticks: list[int]) -> None:
    assert charts.nice_ticks(peak) == ticks


def test_ticks_of_money_are_whole_cedis() -> None:
    assert charts.nice_ticks(150, smallest=100) == [0, 100, 200]
    assert charts.nice_ticks(1_234_550, smallest=100) == [0, 500_000, 1_000_000, 1_500_000]


def test_compact_axis_labels() -> None:
    assert [charts.compact(n) for n in (0, 950, 1_500, 25_000, 1_500_000, 2_000_000_000)] == [
        "0",
        "950",
        "1,500",
        "25k",
        "1.5M",
        "2B",
    ]


def test_bars_are_proportional_to_the_values() -> None:
    chart = charts.bars_per_day("Sessions per day", days(2, 4, 8, 0), charts.counted("sessions"))
    drawn = bars(chart)
    assert len(drawn) == 4
    heights = [h for _, _, _, h, _ in drawn]
    assert heights[0] > 0 and heights[3] == 0
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.3)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.3)
    # Every bar stands on the same baseline, left to right.
    assert len({round(y + h, 1) for _, y, _, h, _ in drawn}) == 1
    assert [x for x, *_ in drawn] == sorted(x for x, *_ in drawn)
    assert drawn[2][4] == "3 Mar: 8 sessions"
    assert TICK.findall(chart) == ["0", "2", "4", "6", "8"]


def test_no_data_says_so_and_draws_no_bar_height() -> None:
    chart = charts.bars_per_day("Sessions per day", days(*[0] * 14), charts.counted("sessions"))
    assert "No sessions yet" in chart
    assert all(h == 0 for _, _, _, h, _ in bars(chart))
    assert "nan" not in chart.lower() and "inf" not in chart.lower()
    assert 'aria-label="Sessions per day: 0 sessions over 14 days"' in chart


def test_one_day_is_one_bar_of_a_sensible_width() -> None:
    chart = charts.bars_per_day("Orders per day", days(3), charts.counted("orders"))
    ((_, _, width, height, tip),) = bars(chart)
    assert 0 < width <= 48 and height > 0
    assert tip == "1 Mar: 3 orders"
    assert ">1 Mar<" in chart and "No orders yet" not in chart


def test_big_numbers_get_round_ticks_and_ninety_days_are_labelled_sparsely() -> None:
    counts = [1_234_567 * (n % 3) for n in range(90)]
    chart = charts.bars_per_day("Sessions per day", days(*counts), charts.counted("sessions"))
    assert TICK.findall(chart) == ["0", "1M", "2M", "3M"]
    assert "2,469,134 sessions" in chart  # the tooltip says the value in full
    day_labels = re.findall(r'text-anchor="middle">(\d+ [A-Z][a-z]{2})<', chart)
    assert 5 <= len(day_labels) <= 10


def test_revenue_is_shown_in_cedis() -> None:
    chart = charts.bars_per_day(
        "Revenue per day",
        days(1, 2, amounts=(15_000, 123_456_750)),
        charts.amounts("revenue", "GHS"),
    )
    assert "2 Mar: GHS 1,234,567.50 revenue" in chart
    assert TICK.findall(chart)[-1] == "GHS 1.5M"
    assert "<td>GHS 150.00</td>" in chart


def test_every_chart_is_an_image_with_a_name_and_its_numbers_in_a_table() -> None:
    made = [
        charts.bars_per_day("Sessions per day", days(1, 2), charts.counted("sessions")),
        charts.payment_success("Payment success", [NetworkSuccess("mtn", 3, 1, 0)]),
        charts.funnel("deposit", [FunnelStep("dep_menu", 4, 1, 0, 0)]),
    ]
    for chart in made:
        assert re.search(r'<svg class="chart-svg" role="img" aria-label="[^"]+"', chart)
        assert re.search(r"<svg[^>]*><title>[^<]+</title>", chart)
        assert '<details class="chart-data"><summary>' in chart and "<table" in chart
        assert "style" not in chart and "<script" not in chart


def test_a_malicious_label_is_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script>'
    made = [
        charts.bars_per_day(evil, days(1), charts.counted(evil)),
        charts.payment_success(evil, [NetworkSuccess(evil, 1, 0, 0)]),
        charts.funnel(evil, [FunnelStep(evil, 2, 1, 1, 0)]),
    ]
    for chart in made:
        assert "<script" not in chart
        assert "&lt;script&gt;" in chart
        assert 'alert("x")' not in chart  # quotes too, since labels go into attributes


def test_payment_success_stacks_the_outcomes_on_one_scale() -> None:
    chart = charts.payment_success(
        "Payment success",
        [NetworkSuccess("mtn", 6, 2, 0), NetworkSuccess("telecel", 1, 0, 3)],
    )
    ok = bars(chart, "chart-ok")
    bad = bars(chart, "chart-bad")
    wait = bars(chart, "chart-wait")
    assert [tip for *_, tip in ok] == ["MTN MoMo: 6 succeeded", "Telecel Cash: 1 succeeded"]
    assert ok[0][2] == pytest.approx(3 * bad[0][2], abs=0.3)
    assert wait[0][2] == pytest.approx(3 * ok[1][2], abs=0.3)
    assert ok[0][2] + bad[0][2] == pytest.approx(2 * (ok[1][2] + wait[0][2]), abs=0.3)
    assert bad[0][0] == pytest.approx(ok[0][0] + ok[0][2], abs=0.3)  # stacked, not overlaid
    assert "75% succeeded" in chart and "100% succeeded" in chart
    assert "<td>75%</td>" in chart


def test_a_wide_drawing_keeps_its_width() -> None:
    wide = charts.payment_success("Payments", [NetworkSuccess("mtn", 1, 1, 1)], width=1100)
    assert 'viewBox="0 0 1100 ' in wide
    sessions = charts.bars_per_day("Sessions", days(1, 2), charts.counted("sessions"), 1100)
    assert 'viewBox="0 0 1100 220"' in sessions


def test_no_payments_and_none_settled() -> None:
    assert "No payments yet" in charts.payment_success("Payment success", [])
    pending_only = charts.payment_success("Payment success", [NetworkSuccess("mtn", 0, 0, 2)])
    assert "none settled" in pending_only and "<td>–</td>" in pending_only


def test_the_funnel_narrows_with_the_sessions_and_marks_the_drop_offs() -> None:
    steps = [
        FunnelStep("dep_menu", 10, 2, 0, 0),
        FunnelStep("dep_cylinders", 8, 3, 0, 0),
        FunnelStep("dep_confirm", 5, 1, 4, 0),
    ]
    chart = charts.funnel("deposit", steps)
    reached = bars(chart)
    dropped = bars(chart, "chart-drop")
    widths = [w for _, _, w, _, _ in reached]
    assert widths[1] == pytest.approx(0.8 * widths[0], abs=0.3)
    assert widths[2] == pytest.approx(0.5 * widths[0], abs=0.3)
    assert dropped[1][2] == pytest.approx(0.3 * widths[0], abs=0.3)
    # A drop-off ends where its bar ends.
    assert dropped[1][0] + dropped[1][2] == pytest.approx(reached[1][0] + reached[1][2], abs=0.3)
    assert "Deposit: confirm" in chart and "dep_confirm" not in chart
    assert "Funnel: Deposit and top-up" in chart
    assert "<td>4</td>" in chart  # completed on the confirmation


def test_an_empty_funnel_says_so() -> None:
    chart = charts.funnel("care", [FunnelStep("care", 0, 0, 0, 0)])
    assert "No sessions ended here yet" in chart and not bars(chart)


def test_every_screen_of_every_journey_has_a_label() -> None:
    for journey, screens in journey_screens():
        assert journey in charts.JOURNEY_LABELS
        for screen in screens:
            assert screen in charts.SCREEN_LABELS, screen
