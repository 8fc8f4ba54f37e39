"""GET /admin/dashboard: the figures of the last 14, 30 or 90 days, as charts drawn on the
server (entrypoints/http/charts.py) and the numbers under each.

A console page like the others: the guard on the console's router lets in only a signed-in staff
member whose role holds the permission declared in `opt`, and `render` gives it the console's
layout (menu, sign-out) and headers."""

from __future__ import annotations

from typing import Any, Literal

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from lpg_ussd.application.figures import Dashboard
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http import charts
from lpg_ussd.entrypoints.http.admin.common import PREFIX, AnyRequest, container, render

RANGES = (14, 30, 90)
WIDE = 1100  # the drawing's width of a chart across the page
Days = Literal[14, 30, 90]


def dashboard_context(dashboard: Dashboard, currency: str) -> dict[str, Any]:
    """What templates/admin/dashboard.html shows: totals, then the charts in order."""
    revenue = sum((day.amount for day in dashboard.revenue), Money.zero())
    return {
        "days": len(dashboard.days),
        "ranges": RANGES,
        "totals": [
            ("Sessions", f"{sum(d.count for d in dashboard.sessions):,}"),
            ("Registrations", f"{sum(d.count for d in dashboard.registrations):,}"),
            ("Orders", f"{sum(d.count for d in dashboard.orders):,}"),
            ("Revenue", revenue.format(currency)),
        ],
        "sessions": charts.bars_per_day(
            "Sessions per day", dashboard.sessions, charts.counted("sessions"), WIDE
        ),
        "business": [
            charts.bars_per_day(
                "Registrations per day", dashboard.registrations, charts.counted("registrations")
            ),
            charts.bars_per_day("Orders per day", dashboard.orders, charts.counted("orders")),
            charts.bars_per_day(
                "Revenue per day", dashboard.revenue, charts.amounts("revenue", currency)
            ),
        ],
        "networks": charts.payment_success("Payment success by network", dashboard.networks, WIDE),
        "funnels": [charts.funnel(journey, steps) for journey, steps in dashboard.funnels.items()],
    }


@get(
    f"{PREFIX}/dashboard",
    include_in_schema=False,
    opt={"permission": Permission.FIGURES_READ},
    name="admin_dashboard",
)
async def admin_dashboard(request: AnyRequest, days: FromQuery[Days] = 14) -> Template:
    """`?days=14|30|90`; anything else is refused (400)."""
    uc = container(request)
    dashboard = await uc.show_dashboard()(days=days)
    return render(request, "dashboard.html", **dashboard_context(dashboard, uc.brand().currency))


routes = [admin_dashboard]
