"""Who calls the API: an API key, presented as `Authorization: Bearer <key>` or
`X-API-Key: <key>`, and the scope each route asks for.

Every /api route handler names its permission in `opt={"permission": Permission.X}`; the
router's guard refuses a route that names none, so no route is public by omission.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme

from lpg_ussd.domain.api_key import ApiKey
from lpg_ussd.domain.staff import Permission

API_KEY_HEADER = "X-API-Key"
BEARER = "bearer"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="lpg-ussd api"'}
# The names the OpenAPI document gives the two ways of presenting a key.
SCHEME_BEARER = "ApiKeyBearer"
SCHEME_HEADER = "ApiKeyHeader"
SECURITY: list[dict[str, list[str]]] = [{SCHEME_BEARER: []}, {SCHEME_HEADER: []}]
STATE_KEY = "api_key"


def openapi_components() -> Components:
    """The security schemes the /api routes refer to, for the app's OpenAPI config."""
    return Components(
        security_schemes={
            SCHEME_BEARER: SecurityScheme(
                type="http",
                scheme="bearer",
                bearer_format="lpg_<prefix>_<secret>",
                description="An API key (`lpg-ussd apikeys create`) as a bearer token.",
            ),
            SCHEME_HEADER: SecurityScheme(
                type="apiKey",
                name=API_KEY_HEADER,
                security_scheme_in="header",
                description="The same API key in the X-API-Key header.",
            ),
        }
    )


def presented_key(headers: Any) -> str | None:
    """The key the request carries, or None; two different keys are none."""
    found: set[str] = set()
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() == BEARER and token.strip():
        found.add(token.strip())
    header = headers.get(API_KEY_HEADER.lower(), "").strip()
    if header:
        found.add(header)
    return found.pop() if len(found) == 1 else None


def permission_of(handler: BaseRouteHandler) -> Permission | None:
    permission = handler.opt.get("permission")
    return permission if isinstance(permission, Permission) else None


async def require_scope(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The router's guard: a known, unrevoked key holding the route's permission."""
    presented = presented_key(connection.headers)
    if presented is None:
        raise NotAuthorizedException(detail="an API key is required", headers=CHALLENGE)
    authenticate = connection.app.state.container.authenticate_api_key()
    key: ApiKey | None = await authenticate(presented)
    if key is None:
        raise NotAuthorizedException(detail="unknown or revoked API key", headers=CHALLENGE)
    permission = permission_of(handler)
    if permission is None or not key.can(permission):
        needed = permission.value if permission else "a declared permission"
        raise PermissionDeniedException(detail=f"this API key lacks the scope {needed}")
    connection.state[STATE_KEY] = key


async def provide_api_key(request: Request[Any, Any, Any]) -> ApiKey:
    """The key the guard accepted: its `actor` signs every change in the audit log."""
    key: ApiKey = request.state[STATE_KEY]
    return key
