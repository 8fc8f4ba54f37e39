"""Customers: find them, read a customer's file, verify or reject, lift a PIN lock-out."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, SkipValidation
from litestar.status_codes import HTTP_200_OK

from lpg_ussd.application.customers import ListCustomers
from lpg_ussd.application.staff import GetCustomerFile, UnlockPin, VerifyCustomer
from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.customer import VerificationStatus
from lpg_ussd.domain.staff import Permission
from lpg_ussd.entrypoints.http.api import schemas
from lpg_ussd.entrypoints.http.api.params import READ, READ_ONE, Limit, Phone, SearchText, msisdn
from lpg_ussd.entrypoints.http.api.schemas import CustomerFileOut, CustomerList, CustomerOut

READ_PERMISSION = {"permission": Permission.CUSTOMERS_READ}
WRITE_PERMISSION = {"permission": Permission.CUSTOMERS_WRITE}
Key = SkipValidation[NamedDependency[ApiKey]]


@get(
    "/customers",
    opt=READ_PERMISSION,
    responses=READ,
    summary="List customers",
    description="Newest first, by verification status and a search over names, town and phone.",
)
async def list_customers_route(
    list_customers: SkipValidation[NamedDependency[ListCustomers]],
    status: FromQuery[VerificationStatus | None] = None,
    search: SearchText = None,
    limit: Limit = 50,
) -> CustomerList:
    found = await list_customers(status, (search or "").strip() or None, limit)
    return CustomerList([schemas.customer_out(c) for c in found])


@get(
    "/customers/{phone:str}",
    opt=READ_PERMISSION,
    responses=READ_ONE,
    summary="A customer's file",
    description="The customer, the wallet balance, and the latest orders, payments and tickets."
    " The phone number may be in any common form (`0244000001`, `+233244000001`).",
)
async def customer_file_route(
    phone: Phone,
    customer_file: SkipValidation[NamedDependency[GetCustomerFile]],
    currency: SkipValidation[NamedDependency[str]],
) -> CustomerFileOut:
    return schemas.customer_file_out(await customer_file(msisdn(phone)), currency)


@post(
    "/customers/{phone:str}/verify",
    opt=WRITE_PERMISSION,
    responses=READ_ONE,
    status_code=HTTP_200_OK,
    summary="Verify a customer",
    description="The customer may use the line from now on and is told so by SMS.",
)
async def verify_route(
    phone: Phone, api_key: Key, verify_customer: SkipValidation[NamedDependency[VerifyCustomer]]
) -> CustomerOut:
    customer = await verify_customer(msisdn(phone), True, actor=api_key.actor)
    return schemas.customer_out(customer)


@post(
    "/customers/{phone:str}/reject",
    opt=WRITE_PERMISSION,
    responses=READ_ONE,
    status_code=HTTP_200_OK,
    summary="Reject a customer's registration",
    description="The customer is told by SMS.",
)
async def reject_route(
    phone: Phone, api_key: Key, verify_customer: SkipValidation[NamedDependency[VerifyCustomer]]
) -> CustomerOut:
    customer = await verify_customer(msisdn(phone), False, actor=api_key.actor)
    return schemas.customer_out(customer)


@post(
    "/customers/{phone:str}/unlock-pin",
    opt=WRITE_PERMISSION,
    responses=READ_ONE,
    status_code=HTTP_200_OK,
    summary="Lift a PIN lock-out",
    description="After three wrong PINs a customer's PIN actions lock for 30 minutes.",
)
async def unlock_pin_route(
    phone: Phone, api_key: Key, unlock_pin: SkipValidation[NamedDependency[UnlockPin]]
) -> CustomerOut:
    return schemas.customer_out(await unlock_pin(msisdn(phone), actor=api_key.actor))


routes = [list_customers_route, customer_file_route, verify_route, reject_route, unlock_pin_route]
