"""The console's home: what is waiting for staff, with links to it."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from lpg_ussd.domain.customer import VerificationStatus
from lpg_ussd.domain.order import OrderStatus
from lpg_ussd.domain.staff import Permission
from lpg_ussd.domain.ticket import TicketStatus, TicketTopic
from lpg_ussd.entrypoints.http.admin.common import PREFIX, AnyRequest, container, render

COUNT_UP_TO = 500  # beyond this the page says "500+"


def shown(items: list[object]) -> str:
    return f"{COUNT_UP_TO}+" if len(items) > COUNT_UP_TO else str(len(items))


@get(PREFIX, opt={"permission": Permission.FIGURES_READ})
async def home(request: AnyRequest) -> Template:
    uc = container(request)
    waiting = await uc.list_customers()(VerificationStatus.UNVERIFIED, limit=COUNT_UP_TO + 1)
    open_tickets = await uc.list_tickets()(TicketStatus.OPEN, limit=COUNT_UP_TO + 1)
    leaks = [t for t in open_tickets if t.topic is TicketTopic.GAS_LEAK]
    orders = [
        (status.value, shown(await uc.list_orders()(status, limit=COUNT_UP_TO + 1)))
        for status in OrderStatus
    ]
    return render(
        request,
        "home.html",
        waiting=shown(waiting),
        open_tickets=shown(open_tickets),
        leaks=shown(leaks),
        orders=orders,
    )


routes = [home]
