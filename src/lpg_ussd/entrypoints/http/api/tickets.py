"""Customer-care tickets: open ones (gas leaks first) or the latest resolved; assign, resolve."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, SkipValidation
from litestar.status_codes import HTTP_200_OK

from lpg_ussd.application.tickets import AssignTicket, ListTickets, ResolveTicket
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.staff import Permission
from lpg_ussd.domain.ticket import TicketStatus
from lpg_ussd.entrypoints.http.api.params import READ, WRITE, Limit, RowId
from lpg_ussd.entrypoints.http.api.schemas import (
    AssignTicketIn,
    ResolveTicketIn,
    TicketList,
    TicketOut,
    ticket_out,
)

Key = SkipValidation[NamedDependency[ApiKey]]


@get(
    "/tickets",
    opt={"permission": Permission.TICKETS_READ},
    responses=READ,
    summary="List tickets",
    description="`open` (the default): urgent ones first, then the longest waiting;"
    " `resolved`: the latest resolved.",
)
async def list_tickets_route(
    list_tickets: SkipValidation[NamedDependency[ListTickets]],
    status: FromQuery[TicketStatus] = TicketStatus.OPEN,
    limit: Limit = 50,
) -> TicketList:
    return TicketList([ticket_out(t) for t in await list_tickets(status, limit)])


@post(
    "/tickets/{ticket_id:int}/assign",
    opt={"permission": Permission.TICKETS_WRITE},
    responses=WRITE,
    status_code=HTTP_200_OK,
    summary="Assign a ticket",
    description="To a member of staff by username (404 if there is none); an empty assignee"
    " unassigns it.",
)
async def assign_ticket_route(
    ticket_id: RowId,
    data: JSONBody[AssignTicketIn],
    api_key: Key,
    assign_ticket: SkipValidation[NamedDependency[AssignTicket]],
) -> TicketOut:
    return ticket_out(await assign_ticket(ticket_id, data.assignee, actor=api_key.actor))


@post(
    "/tickets/{ticket_id:int}/resolve",
    opt={"permission": Permission.TICKETS_WRITE},
    responses=WRITE,
    status_code=HTTP_200_OK,
    summary="Resolve a ticket",
    description="With an optional note, kept in the audit log; resolving twice changes nothing.",
)
async def resolve_ticket_route(
    ticket_id: RowId,
    api_key: Key,
    resolve_ticket: SkipValidation[NamedDependency[ResolveTicket]],
    data: JSONBody[ResolveTicketIn | None] = None,
) -> TicketOut:
    note = data.note.strip() if data else ""
    return ticket_out(await resolve_ticket(ticket_id, actor=api_key.actor, note=note))


routes = [list_tickets_route, assign_ticket_route, resolve_ticket_route]
