"""Figures read from the database when /metrics is scraped: payments and the outbox backlog."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from lpg_ussd.adapters.metrics.prometheus import PrometheusMetrics
from lpg_ussd.adapters.persistence.tables import outbox, payments
from lpg_ussd.application.ports import Clock


class DatabaseFigures:
    def __init__(self, engine: AsyncEngine, metrics: PrometheusMetrics, clock: Clock) -> None:
        self._engine = engine
        self._metrics = metrics
        self._clock = clock

    async def __call__(self) -> None:
        by_state = select(payments.c.provider, payments.c.status, func.count()).group_by(
            payments.c.provider, payments.c.status
        )
        waiting = (
            select(outbox.c.kind, func.count(), func.min(outbox.c.created_at))
            .where(outbox.c.status == "pending")
            .group_by(outbox.c.kind)
        )
        async with self._engine.connect() as connection:
            payment_rows = (await connection.execute(by_state)).all()
            outbox_rows = (await connection.execute(waiting)).all()
        self._metrics.payments.clear()
        for provider, state, count in payment_rows:
            self._metrics.payments.labels(provider, state).set(count)
        self._metrics.outbox_backlog.clear()
        oldest = None
        for kind, count, first in outbox_rows:
            self._metrics.outbox_backlog.labels(kind).set(count)
            oldest = first if oldest is None or first < oldest else oldest
        age = (self._clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        self._metrics.outbox_age.set(max(age, 0.0))
