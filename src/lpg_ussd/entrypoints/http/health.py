"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from lpg_ussd.adapters.persistence.database import ping
from lpg_ussd.entrypoints.http.deps import Readiness


@get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", summary="The database and the session store answer")
async def ready(
    readiness: SkipValidation[NamedDependency[Readiness]],
) -> Response[dict[str, str]]:
    checks = {"database": "ok" if await ping(readiness.engine) else "down"}
    store = readiness.store
    store_ping = getattr(store, "ping", None)
    if store_ping is not None:
        checks["sessions"] = "ok" if await store_ping() else "down"
    healthy = all(value == "ok" for value in checks.values())
    status = HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE
    return Response({"status": "ok" if healthy else "unavailable", **checks}, status_code=status)


routes = [live, ready]
