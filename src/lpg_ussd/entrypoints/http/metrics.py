"""Prometheus figures on GET /metrics."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State

from lpg_ussd.adapters.metrics.prometheus import PrometheusMetrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@get("/metrics", summary="Prometheus figures of this process", include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    figures: PrometheusMetrics = state.container.metrics()
    refresh = getattr(state.container, "refresh_figures", None)
    if refresh is not None:
        await refresh()()
    return Response(figures.exposition(), media_type=CONTENT_TYPE)


routes = [metrics]
