"""Prometheus figures on GET /metrics."""

from __future__ import annotations

import logging

from litestar import Response, get
from litestar.datastructures import State

from lpg_ussd.adapters.metrics.prometheus import PrometheusMetrics

log = logging.getLogger("lpg_ussd.metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@get("/metrics", summary="Prometheus figures of this process", include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    figures: PrometheusMetrics = state.container.metrics()
    try:
        await state.container.refresh_figures()()
    except Exception:  # a database down must not hide the rest of the figures
        log.warning("payment and outbox figures not read", exc_info=True)
    return Response(figures.exposition(), media_type=CONTENT_TYPE)


routes = [metrics]
