"""Customers: find by phone or name, see their file, verify or reject, lift a PIN lock."""

from __future__ import annotations

import re

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.domain.customer import VerificationStatus
from lpg_ussd.domain.errors import DomainError, InvalidValue
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    actor,
    attempt,
    back,
    container,
    explain,
    flash,
    printable,
    render,
)

READ = {"permission": Permission.CUSTOMERS_READ}
WRITE = {"permission": Permission.CUSTOMERS_WRITE}
PHONE_LIKE = re.compile(r"^\+?[\d\s-]{3,20}$")


def search_term(text: str) -> str:
    """A whole phone number in any common form becomes its E.164; part of one, its digits
    without the leading 0 or 233; anything else is part of a name."""
    text = printable(text)
    if not PHONE_LIKE.match(text):
        return text
    try:
        return normalise_msisdn(text).e164
    except InvalidValue:
        digits = re.sub(r"\D", "", text)
        return re.sub(r"^(233|0)", "", digits) or digits


def parse_status(text: str) -> VerificationStatus | None:
    try:
        return VerificationStatus(text) if text else None
    except ValueError as error:
        raise InvalidValue("status") from error


def customer_url(msisdn: Msisdn | str) -> str:
    return f"{PREFIX}/customers/{msisdn}"


@get(f"{PREFIX}/customers", opt=READ)
async def customers(
    request: AnyRequest, q: FromQuery[str] = "", status: FromQuery[str] = ""
) -> Template:
    try:
        found = await container(request).list_customers()(parse_status(status), search_term(q))
    except DomainError as error:
        flash(request, explain(error), "error")
        found = []
    statuses = [s.value for s in VerificationStatus]
    return render(request, "customers.html", customers=found, q=q, status=status, statuses=statuses)


@get(f"{PREFIX}/customers/{{phone:str}}", opt=READ)
async def customer(request: AnyRequest, phone: FromPath[str]) -> Template | Redirect:
    try:
        file = await container(request).customer_file()(normalise_msisdn(phone))
    except DomainError as error:
        flash(request, explain(error), "error")
        return back(f"{PREFIX}/customers")
    now = container(request).clock().now()
    return render(request, "customer.html", file=file, c=file.customer, now=now)


@post(f"{PREFIX}/customers/{{phone:str}}/verify", opt=WRITE)
async def verify(request: AnyRequest, phone: FromPath[str]) -> Redirect:
    return await _verify(request, phone, approve=True)


@post(f"{PREFIX}/customers/{{phone:str}}/reject", opt=WRITE)
async def reject(request: AnyRequest, phone: FromPath[str]) -> Redirect:
    return await _verify(request, phone, approve=False)


async def _verify(request: AnyRequest, phone: str, approve: bool) -> Redirect:
    done = "Customer verified" if approve else "Customer rejected"
    return await attempt(
        request,
        lambda: container(request).verify_customer()(
            normalise_msisdn(phone), approve, actor=actor(request)
        ),
        f"{done}; an SMS tells them.",
        customer_url(phone),
    )


@post(f"{PREFIX}/customers/{{phone:str}}/unlock-pin", opt=WRITE)
async def unlock_pin(request: AnyRequest, phone: FromPath[str]) -> Redirect:
    return await attempt(
        request,
        lambda: container(request).unlock_pin()(normalise_msisdn(phone), actor=actor(request)),
        "PIN lock lifted.",
        customer_url(phone),
    )


routes = [customers, customer, verify, reject, unlock_pin]
