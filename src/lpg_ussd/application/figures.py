"""The dashboard's figures: sessions, where customers drop off, and the business by day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from lpg_ussd.application.ports import (
    Clock,
    DayCount,
    SessionOutcomeCount,
    SessionStatus,
    UnitOfWorkFactory,
)
from lpg_ussd.domain.payment import PaymentStatus


@dataclass(frozen=True, slots=True)
class FunnelStep:
    screen: str
    reached: int  # sessions that ended on this screen or a later one of the journey
    dropped: int  # ended here, timed out or cancelled
    completed: int  # ended here with the journey done
    failed: int


@dataclass(frozen=True, slots=True)
class NetworkSuccess:
    network: str
    succeeded: int
    failed: int
    pending: int

    @property
    def rate(self) -> float | None:
        """Succeeded among the settled, or None when none is settled yet."""
        settled = self.succeeded + self.failed
        return self.succeeded / settled if settled else None


@dataclass(frozen=True, slots=True)
class Dashboard:
    days: list[date]
    sessions: list[DayCount]
    funnels: dict[str, list[FunnelStep]]  # journey -> its screens in order
    registrations: list[DayCount]
    orders: list[DayCount]
    revenue: list[DayCount]
    networks: list[NetworkSuccess]


def _every_day(days: list[date], counts: Sequence[DayCount]) -> list[DayCount]:
    """One count per day, zero where the database had none."""
    by_day = {c.day: c for c in counts}
    return [by_day.get(day, DayCount(day, 0)) for day in days]


def funnels(
    journeys: Sequence[tuple[str, Sequence[str]]], counts: Sequence[SessionOutcomeCount]
) -> dict[str, list[FunnelStep]]:
    ended: dict[tuple[str, SessionStatus], int] = defaultdict(int)
    for count in counts:
        ended[(count.screen, count.status)] += count.count
    result: dict[str, list[FunnelStep]] = {}
    for journey, screens in journeys:
        steps: list[FunnelStep] = []
        later = 0
        for screen in reversed(screens):
            dropped = ended[(screen, SessionStatus.INCOMPLETE)]
            completed = ended[(screen, SessionStatus.SUCCESS)]
            failed = ended[(screen, SessionStatus.FAILED)]
            later += dropped + completed + failed
            steps.append(FunnelStep(screen, later, dropped, completed, failed))
        result[journey] = list(reversed(steps))
    return result


@dataclass(frozen=True, slots=True)
class ShowDashboard:
    """`journeys` names each journey's screens in the order a customer meets them."""

    uow: UnitOfWorkFactory
    clock: Clock
    journeys: Sequence[tuple[str, Sequence[str]]]

    async def __call__(self, days: int = 14) -> Dashboard:
        today = self.clock.now().date()
        since = today - timedelta(days=max(1, min(days, 366)) - 1)
        every_day = [since + timedelta(days=n) for n in range((today - since).days + 1)]
        async with self.uow(read_only=True) as uow:
            outcomes = await uow.session_outcomes.counts(since)
            registrations = await uow.figures.registrations_per_day(since)
            orders = await uow.figures.orders_per_day(since)
            revenue = await uow.figures.revenue_per_day(since)
            by_network = await uow.figures.payments_by_network(since)
        sessions: dict[date, int] = defaultdict(int)
        for outcome in outcomes:
            sessions[outcome.day] += outcome.count
        networks: dict[str, dict[PaymentStatus, int]] = defaultdict(lambda: defaultdict(int))
        for row in by_network:
            networks[row.network][row.status] += row.count
        return Dashboard(
            every_day,
            _every_day(every_day, [DayCount(d, n) for d, n in sessions.items()]),
            funnels(self.journeys, outcomes),
            _every_day(every_day, registrations),
            _every_day(every_day, orders),
            _every_day(every_day, revenue),
            [
                NetworkSuccess(
                    name,
                    by[PaymentStatus.SUCCESSFUL],
                    by[PaymentStatus.FAILED],
                    by[PaymentStatus.PENDING],
                )
                for name, by in sorted(networks.items())
            ],
        )
