"""Staff accounts and API keys (admins only): create, switch off or on, revoke."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from lpg_ussd.domain.api_key import parse_scopes
from lpg_ussd.domain.errors import DomainError, InvalidValue
from lpg_ussd.domain.staff import Permission, Role
from lpg_ussd.entrypoints.http.admin.common import (
    PREFIX,
    AnyRequest,
    actor,
    attempt,
    back,
    container,
    explain,
    flash,
    form,
    render,
)

ADMIN = {"permission": Permission.STAFF_ADMIN}
STAFF = f"{PREFIX}/staff"
API_KEYS = f"{PREFIX}/api-keys"


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError as error:
        raise InvalidValue("role") from error


@get(STAFF, opt=ADMIN)
async def staff_list(request: AnyRequest) -> Template:
    users = await container(request).list_staff()()
    now = container(request).clock().now()
    roles = {role.value: sorted(p.value for p in role.permissions) for role in Role}
    return render(request, "staff.html", users=users, roles=roles, now=now)


@post(STAFF, opt=ADMIN)
async def create_staff(request: AnyRequest) -> Redirect:
    data = await form(request)
    username = data.get("username", "")
    return await attempt(
        request,
        lambda: container(request).create_staff()(
            username,
            data.get("display_name", ""),
            parse_role(data.get("role", "")),
            data.get("password", ""),
            actor=actor(request),
        ),
        f"Staff account {username.lower()} created.",
        STAFF,
    )


@post(f"{STAFF}/{{username:str}}/active", opt=ADMIN)
async def set_active(request: AnyRequest, username: FromPath[str]) -> Redirect:
    active = (await form(request)).get("active") == "1"
    return await attempt(
        request,
        lambda: container(request).set_staff_active()(username, active, actor=actor(request)),
        f"{username} switched {'on' if active else 'off'}.",
        STAFF,
    )


@get(API_KEYS, opt=ADMIN)
async def api_keys(request: AnyRequest) -> Template:
    keys = await container(request).list_api_keys()()
    scopes = [p.value for p in Permission]
    return render(request, "api_keys.html", keys=keys, scopes=scopes, new_key=None)


@post(API_KEYS, opt=ADMIN)
async def create_api_key(request: AnyRequest) -> Template | Redirect:
    data = await request.form()
    name = str(data.get("name", ""))
    try:
        scopes = parse_scopes([str(s) for s in data.getall("scopes", [])])
        key, secret = await container(request).create_api_key()(name, scopes, actor=actor(request))
    except DomainError as error:
        flash(request, explain(error), "error")
        return back(API_KEYS)
    # Shown once, in this answer only: it is not kept and cannot be shown again.
    keys = await container(request).list_api_keys()()
    return render(
        request,
        "api_keys.html",
        keys=keys,
        scopes=[p.value for p in Permission],
        new_key=secret,
        new_key_name=key.name,
    )


@post(f"{API_KEYS}/{{prefix:str}}/revoke", opt=ADMIN)
async def revoke_api_key(request: AnyRequest, prefix: FromPath[str]) -> Redirect:
    return await attempt(
        request,
        lambda: container(request).revoke_api_key()(prefix, actor=actor(request)),
        f"Key {prefix} revoked.",
        API_KEYS,
    )


routes = [staff_list, create_staff, set_active, api_keys, create_api_key, revoke_api_key]
