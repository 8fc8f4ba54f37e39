"""Payments: the attempts by status, and a re-check with the provider on demand."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, SkipValidation
from litestar.status_codes import HTTP_200_OK

from lpg_ussd.application.payment_admin import ListPayments, RecheckPayment
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.payment import PaymentStatus
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.api.params import READ, WRITE, Limit, Reference, parse_reference
from lpg_ussd.entrypoints.http.api.schemas import PaymentList, RecheckOut, payment_out


@get(
    "/payments",
    opt={"permission": Permission.PAYMENTS_READ},
    responses=READ,
    summary="List payments",
    description="Mobile-money payment attempts, newest first, optionally in one status.",
)
async def list_payments_route(
    list_payments: SkipValidation[NamedDependency[ListPayments]],
    currency: SkipValidation[NamedDependency[str]],
    status: FromQuery[PaymentStatus | None] = None,
    limit: Limit = 50,
) -> PaymentList:
    found = await list_payments(status, limit)
    return PaymentList([payment_out(p, currency) for p in found])


@post(
    "/payments/{reference:str}/recheck",
    opt={"permission": Permission.PAYMENTS_WRITE},
    responses=WRITE,
    status_code=HTTP_200_OK,
    summary="Re-check a payment with its provider",
    description="Asks the provider for the payment's status and settles it by the answer, as a"
    " callback would; a payment already final stays as it is (`already_final`).",
)
async def recheck_route(
    reference: Reference,
    api_key: SkipValidation[NamedDependency[ApiKey]],
    recheck_payment: SkipValidation[NamedDependency[RecheckPayment]],
) -> RecheckOut:
    wanted = parse_reference(reference)
    settlement = await recheck_payment(wanted, actor=api_key.actor)
    return RecheckOut(wanted, settlement.value)


routes = [list_payments_route, recheck_route]
