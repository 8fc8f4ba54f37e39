"""The dashboard's figures and the audit log, read-only."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from lpg_ussd.application.audit import ListAudit
from lpg_ussd.application.figures import ShowDashboard
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.api.params import READ, Days, FilterText, Limit
from lpg_ussd.entrypoints.http.api.schemas import AuditList, FiguresOut, audit_out, figures_out


@get(
    "/figures",
    opt={"permission": Permission.FIGURES_READ},
    responses=READ,
    summary="The dashboard's figures",
    description="Per day over the last `days`: USSD sessions, registrations, orders and"
    " revenue; where customers drop off in each journey; payment success by network.",
)
async def figures_route(
    show_dashboard: SkipValidation[NamedDependency[ShowDashboard]],
    currency: SkipValidation[NamedDependency[str]],
    days: Days = 14,
) -> FiguresOut:
    return figures_out(await show_dashboard(days), currency)


@get(
    "/audit",
    opt={"permission": Permission.AUDIT_READ},
    responses=READ,
    summary="The audit log",
    description="Who changed what, newest first: `actor` is `api:<key name>`,"
    " `staff:<username>` or `cli`; `subject` a phone number, an order reference, a ticket.",
)
async def audit_route(
    list_audit: SkipValidation[NamedDependency[ListAudit]],
    actor: FilterText = None,
    subject: FilterText = None,
    limit: Limit = 50,
) -> AuditList:
    entries = await list_audit(actor or None, subject or None, limit)
    return AuditList([audit_out(e) for e in entries])


routes = [figures_route, audit_route]
