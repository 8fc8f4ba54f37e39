"""Tickets: gas leaks first and marked, assign to a staff member, resolve with a note."""

from __future__ import annotations

import re

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.staff import Permission
from lpg_ussd.domain.ticket import TicketStatus
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    actor,
    attempt,
    container,
    form,
    render,
)

READ = {"permission": Permission.TICKETS_READ}
WRITE = {"permission": Permission.TICKETS_WRITE}
TICKETS = f"{PREFIX}/tickets"


def ticket_id(text: str) -> int:
    digits = text.strip().upper().removeprefix("T")
    if not re.fullmatch(r"[0-9]{1,9}", digits):
        raise InvalidValue("ticket")
    return int(digits)


@get(TICKETS, opt=READ)
async def tickets(request: AnyRequest) -> Template:
    uc = container(request)
    return render(
        request,
        "tickets.html",
        open_tickets=await uc.list_tickets()(TicketStatus.OPEN),
        resolved=await uc.list_tickets()(TicketStatus.RESOLVED, limit=20),
        staff_names=[u.username for u in await uc.list_staff()() if u.active],
    )


@post(f"{TICKETS}/{{number:str}}/assign", opt=WRITE)
async def assign(request: AnyRequest, number: FromPath[str]) -> Redirect:
    assignee = (await form(request)).get("assignee", "")
    done = (
        f"Ticket {number} assigned to {assignee}." if assignee else f"Ticket {number} unassigned."
    )
    return await attempt(
        request,
        lambda: container(request).assign_ticket()(
            ticket_id(number), assignee, actor=actor(request)
        ),
        done,
        TICKETS,
    )


@post(f"{TICKETS}/{{number:str}}/resolve", opt=WRITE)
async def resolve(request: AnyRequest, number: FromPath[str]) -> Redirect:
    note = (await form(request)).get("note", "")
    return await attempt(
        request,
        lambda: container(request).resolve_ticket()(
            ticket_id(number), actor=actor(request), note=note
        ),
        f"Ticket {number} resolved.",
        TICKETS,
    )


routes = [tickets, assign, resolve]
