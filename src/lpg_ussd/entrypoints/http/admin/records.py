"""What the line has sent and what staff have done: the outbox and the audit log."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    container,
    printable,
    render,
)


@get(f"{PREFIX}/outbox", opt={"permission": Permission.CUSTOMERS_READ})
async def outbox(request: AnyRequest, to: FromQuery[str] = "") -> Template:
    messages = await container(request).list_outbox()(limit=200)
    wanted = printable(to)
    if wanted:
        messages = [m for m in messages if wanted in str(m.payload.get("to", ""))]
    return render(request, "outbox.html", messages=messages[:100], to=to)


@get(f"{PREFIX}/audit", opt={"permission": Permission.AUDIT_READ})
async def audit(
    request: AnyRequest, actor: FromQuery[str] = "", subject: FromQuery[str] = ""
) -> Template:
    entries = await container(request).list_audit()(
        printable(actor) or None, printable(subject) or None, limit=200
    )
    return render(request, "audit.html", entries=entries, actor=actor, subject=subject)


routes = [outbox, audit]
