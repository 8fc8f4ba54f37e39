"""Prometheus figures of one process: hops, latency, sessions, dependency errors, and the
payments and outbox read from the database when scraped.

Each app has a registry of its own (tests build many apps in one process).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class PrometheusMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._hop_children: dict[tuple[str, str, str], Counter] = {}
        self._latency_children: dict[str, Histogram] = {}
        self._hops = Counter(
            "lpg_ussd_hops",
            "USSD hops answered, by gateway, screen shown and outcome",
            ["gateway", "screen", "outcome"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "lpg_ussd_hop_seconds",
            "Time to answer a hop, by gateway",
            ["gateway"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._sessions = Counter(
            "lpg_ussd_sessions",
            "Sessions over, by gateway, outcome and the screen they ended on",
            ["gateway", "outcome", "screen"],
            registry=self.registry,
        )
        self._dependency_errors = Counter(
            "lpg_ussd_dependency_errors",
            "Hops that a dependency failed (deadline passed or an exception)",
            ["dependency"],
            registry=self.registry,
        )
        self.payments = Gauge(
            "lpg_ussd_payments",
            "Payments, by provider and state (read from the database when scraped)",
            ["provider", "state"],
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "lpg_ussd_outbox_backlog",
            "Messages waiting in the outbox, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.outbox_age = Gauge(
            "lpg_ussd_outbox_oldest_seconds",
            "Age of the oldest message waiting in the outbox",
            registry=self.registry,
        )

    def hop(self, gateway: str, screen: str, outcome: str, seconds: float) -> None:
        # Every hop: the labelled children are looked up once and kept (there are as many as
        # gateways x screens x outcomes, a few hundred at most).
        key = (gateway, screen, outcome)
        hops = self._hop_children.get(key)
        if hops is None:
            hops = self._hop_children[key] = self._hops.labels(gateway, screen, outcome)
        latency = self._latency_children.get(gateway)
        if latency is None:
            latency = self._latency_children[gateway] = self._latency.labels(gateway)
        hops.inc()
        latency.observe(seconds)

    def session_ended(self, gateway: str, outcome: str, screen: str) -> None:
        self._sessions.labels(gateway, outcome, screen).inc()

    def dependency_error(self, dependency: str) -> None:
        self._dependency_errors.labels(dependency).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
