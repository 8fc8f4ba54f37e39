"""Payments: pending and failed ones, re-checked with the provider on demand."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from lpg_ussd.application.payments import Settlement
from lpg_ussd.domain.errors import DomainError, InvalidValue
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    actor,
    back,
    container,
    explain,
    flash,
    form,
    render,
)

READ = {"permission": Permission.PAYMENTS_READ}
WRITE = {"permission": Permission.PAYMENTS_WRITE}
PAYMENTS = f"{PREFIX}/payments"


def parse_status(text: str) -> PaymentStatus | None:
    try:
        return PaymentStatus(text) if text else None
    except ValueError as error:
        raise InvalidValue("status") from error


@get(PAYMENTS, opt=READ)
async def payments(request: AnyRequest, status: FromQuery[str] = "pending") -> Template:
    try:
        found = await container(request).list_payments()(parse_status(status), limit=100)
    except DomainError as error:
        flash(request, explain(error), "error")
        found = []
    statuses = [s.value for s in PaymentStatus]
    return render(request, "payments.html", payments=found, status=status, statuses=statuses)


SETTLEMENTS = {
    Settlement.UNKNOWN: "the provider does not know it",
    Settlement.ALREADY_FINAL: "it was settled already, nothing changed",
    Settlement.STILL_PENDING: "still pending",
    Settlement.SUCCEEDED: "paid; the order or wallet is updated",
    Settlement.FAILED: "failed; the customer is told",
}


@post(f"{PAYMENTS}/{{reference:str}}/recheck", opt=WRITE)
async def recheck(request: AnyRequest, reference: FromPath[str]) -> Redirect:
    status = (await form(request)).get("status", "")
    try:
        settlement = await container(request).recheck_payment()(reference, actor=actor(request))
    except DomainError as error:
        flash(request, explain(error), "error")
    else:
        flash(request, f"Payment {reference} re-checked: {SETTLEMENTS[settlement]}.")
    listed = status if status in {s.value for s in PaymentStatus} else ""
    return back(f"{PAYMENTS}?status={listed}")


routes = [payments, recheck]
