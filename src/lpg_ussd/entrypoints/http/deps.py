"""Litestar dependencies: each a small function over the dependency-injector container.

Litestar's `Provide` cannot take a dependency-injector provider directly, so each object a
handler needs is handed over by one of these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar.datastructures import State
from litestar.di import Provide

from lpg_ussd.application.checkout import SettleCheckout
from lpg_ussd.application.payment_callbacks import ReceivePaymentCallback
from lpg_ussd.application.ports import PaymentProviders
from lpg_ussd.application.session_outcomes import RecordSessionOutcome, SessionEnded


def _container(state: State) -> Any:
    return state.container


async def provide_session_end_decoders(
    state: State,
) -> Mapping[str, Callable[[bytes, str], SessionEnded]]:
    return _container(state).session_end_decoders()  # type: ignore[no-any-return]


async def provide_record_session_outcome(state: State) -> RecordSessionOutcome:
    return _container(state).record_session_outcome()  # type: ignore[no-any-return]


async def provide_payment_providers(state: State) -> PaymentProviders:
    return _container(state).payment_providers()  # type: ignore[no-any-return]


async def provide_receive_payment_callback(state: State) -> ReceivePaymentCallback:
    return _container(state).receive_payment_callback()  # type: ignore[no-any-return]


async def provide_checkout_readers(state: State) -> Mapping[str, Any]:
    return _container(state).checkout_readers()  # type: ignore[no-any-return]


async def provide_settle_checkout(state: State) -> SettleCheckout:
    return _container(state).settle_checkout()  # type: ignore[no-any-return]


async def provide_readiness(state: State) -> Readiness:
    container = _container(state)
    return Readiness(container.db_engine(), container.session_store())


class Readiness:
    """What `/health/ready` asks: the database and, when it has one, the session store."""

    def __init__(self, engine: Any, store: Any) -> None:
        self.engine = engine
        self.store = store


def dependencies() -> dict[str, Provide]:
    """Fresh for each app: a cached value belongs to the app that resolved it."""
    return {
        "session_end_decoders": Provide(provide_session_end_decoders, use_cache=True),
        "record_session_outcome": Provide(provide_record_session_outcome, use_cache=True),
        "payment_providers": Provide(provide_payment_providers, use_cache=True),
        "receive_payment_callback": Provide(provide_receive_payment_callback, use_cache=True),
        "readiness": Provide(provide_readiness, use_cache=True),
        "checkout_readers": Provide(provide_checkout_readers, use_cache=True),
        "settle_checkout": Provide(provide_settle_checkout, use_cache=True),
    }
