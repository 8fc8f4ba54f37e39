"""Steps of features/payment_providers.feature: the real HTTP app and worker, paying through
each provider's adapter against that provider's local fake server (tests/contract/payments).

The fakes run as real HTTP servers on 127.0.0.1, once for this module, reset before each
scenario. A `Side` knows one provider's ways: its settings, what it was asked, how its fake
is told to approve or decline, and the callback the provider would post. Until told to
approve, a fake answers its status query with "pending", as a provider does while the
customer has not yet approved the prompt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from lpg_ussd.adapters.payments.mtn_momo import momo_reference_id
from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.application.ports import CallbackOutcome, PaymentCallback
from lpg_ussd.application.reconcile import Reconciliation
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.payment import Payment, PaymentStatus
from tests.acceptance.conftest import DEFAULT_PIN, _option_for
from tests.acceptance.harness import Harness, Phone
from tests.contract.payments.fake_hubtel import FakeHubtel
from tests.contract.payments.fake_mtn_momo import FakeMtnMomo
from tests.contract.payments.fake_paystack import FakePaystack
from tests.contract.payments.server import FakeProvider, LocalServer, Request

scenarios("payment_providers.feature")

T = TypeVar("T")

HOST = "https://lpg.example.com"
NOT_OURS = "PNOTOURS2345"
MORE = "98"


# ---------------------------------------------------------------- each provider's side


@dataclass
class Callback:
    """A provider's callback as it would reach us: method, body, headers."""

    method: str
    body: bytes
    headers: dict[str, str]


class Side:
    """One provider, as the line meets it through its fake server."""

    name = ""

    def __init__(self, server: LocalServer) -> None:
        self.server = server

    @property
    def fake(self) -> Any:
        return self.server.app

    def settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def requested(self, reference: str) -> tuple[Money, str] | None:
        """The amount and payer number this provider was asked for, for our reference."""
        raise NotImplementedError

    def status_queries(self, reference: str) -> list[Request]:
        raise NotImplementedError

    def hold(self, payment: Payment) -> None:
        """Pending until the payer approves."""

    def approve(self, payment: Payment) -> None:
        raise NotImplementedError

    def decline(self, payment: Payment) -> None:
        raise NotImplementedError

    def callback(self, payment: Payment, paid: bool) -> Callback | None:
        """What the provider posts once the payment is final; None when it posts nothing."""
        raise NotImplementedError

    def forged_success(self, payment: Payment) -> Callback:
        """A success callback someone else posts, without the provider's say."""
        raise NotImplementedError

    def callback_for_another_reference(self) -> Callback:
        raise NotImplementedError


class MtnSide(Side):
    name = "mtn_momo"

    def settings(self) -> dict[str, Any]:
        fake: FakeMtnMomo = self.fake
        return {
            "mtn_momo_base_url": self.server.url,
            "mtn_momo_api_user": fake.api_user,
            "mtn_momo_api_key": fake.api_key,
            "mtn_momo_subscription_key": fake.subscription_key,
            "mtn_momo_target_environment": fake.environment,
            "mtn_momo_currency": fake.currency,
            "mtn_momo_callback_url": f"{HOST}/payments/mtn_momo/callback",
        }

    def requested(self, reference: str) -> tuple[Money, str] | None:
        for request in self.fake.seen("request"):
            body = request.json()
            if body["externalId"] == reference:
                return _money(body["amount"]), body["payer"]["partyId"]
        return None

    def status_queries(self, reference: str) -> list[Request]:
        wanted = momo_reference_id(reference)
        return [r for r in self.fake.seen("status") if r.path.endswith("/" + wanted)]

    # MTN's fake is scripted by payer number: one payment at a time is pending here.
    def hold(self, payment: Payment) -> None:
        self.fake.will(_digits(payment), "PENDING")

    def approve(self, payment: Payment) -> None:
        self.fake.will(_digits(payment), "SUCCESSFUL")

    def decline(self, payment: Payment) -> None:
        self.fake.will(_digits(payment), ("FAILED", "APPROVAL_REJECTED"))

    def say_failed(self, payment: Payment) -> None:
        self.decline(payment)

    def callback(self, payment: Payment, paid: bool) -> Callback | None:
        body = self.fake.callback_body(momo_reference_id(payment.reference))
        return Callback("PUT", body, {"content-type": "application/json"})

    def forged_success(self, payment: Payment) -> Callback:
        return self._success_body(payment.reference, momo_reference_id(payment.reference))

    def callback_for_another_reference(self) -> Callback:
        return self._success_body(NOT_OURS, momo_reference_id(NOT_OURS))

    @staticmethod
    def _success_body(reference: str, reference_id: str) -> Callback:
        body = {
            "referenceId": reference_id,
            "financialTransactionId": "987654321",
            "externalId": reference,
            "amount": "234.00",
            "currency": "EUR",
            "payer": {"partyIdType": "MSISDN", "partyId": "233244000001"},
            "status": "SUCCESSFUL",
        }
        return Callback("PUT", json.dumps(body).encode(), {"content-type": "application/json"})


class HubtelSide(Side):
    name = "hubtel"

    def settings(self) -> dict[str, Any]:
        fake: FakeHubtel = self.fake
        return {
            "hubtel_base_url": self.server.url,
            "hubtel_status_base_url": self.server.url,
            "hubtel_pos_sales_id": fake.pos_sales_id,
            "hubtel_api_id": fake.api_id,
            "hubtel_api_key": fake.api_key,
            "hubtel_callback_url": f"{HOST}/payments/hubtel/callback",
        }

    def requested(self, reference: str) -> tuple[Money, str] | None:
        for request in self.fake.seen("request"):
            body = request.json()
            if body["ClientReference"] == reference:
                return _money(body["Amount"]), body["CustomerMsisdn"]
        return None

    def status_queries(self, reference: str) -> list[Request]:
        return [r for r in self.fake.seen("status") if r.query.get("clientReference") == reference]

    def hold(self, payment: Payment) -> None:
        self.fake.will(payment.reference, "Unpaid")

    def approve(self, payment: Payment) -> None:
        self.fake.will(payment.reference, "Paid")

    def decline(self, payment: Payment) -> None:
        self.fake.will(payment.reference, "Unpaid")  # Hubtel's status check has no "declined"

    def say_failed(self, payment: Payment) -> None:
        self.fake.will(payment.reference, "Refunded")

    def callback(self, payment: Payment, paid: bool) -> Callback | None:
        body = self.fake.callback_body(payment.reference, paid=paid)
        return Callback("POST", body, {"content-type": "application/json"})

    def forged_success(self, payment: Payment) -> Callback:
        return self._success_body(payment.reference)

    def callback_for_another_reference(self) -> Callback:
        return self._success_body(NOT_OURS)

    @staticmethod
    def _success_body(reference: str) -> Callback:
        body = {
            "ResponseCode": "0000",
            "Message": "success",
            "Data": {"ClientReference": reference, "Amount": 234.0, "TransactionId": "f00d"},
        }
        return Callback("POST", json.dumps(body).encode(), {"content-type": "application/json"})


class PaystackSide(Side):
    name = "paystack"

    def settings(self) -> dict[str, Any]:
        fake: FakePaystack = self.fake
        return {"paystack_base_url": self.server.url, "paystack_secret_key": fake.secret_key}

    def requested(self, reference: str) -> tuple[Money, str] | None:
        for request in self.fake.seen("charge"):
            body = request.json()
            if body["reference"] == reference:
                return Money(body["amount"]), body["mobile_money"]["phone"]
        return None

    def status_queries(self, reference: str) -> list[Request]:
        return [r for r in self.fake.seen("verify") if r.path.endswith("/" + reference)]

    def hold(self, payment: Payment) -> None:
        self.fake.will(payment.reference, ("pending", "Charge attempted"))

    def approve(self, payment: Payment) -> None:
        self.fake.will(payment.reference, ("success", "Approved"))

    def decline(self, payment: Payment) -> None:
        self.fake.will(payment.reference, ("failed", "Transaction declined by the customer"))

    def callback(self, payment: Payment, paid: bool) -> Callback | None:
        if not paid:
            return None  # Paystack has no webhook event for a failed charge
        body, signature = self.fake.webhook(payment.reference)
        return Callback("POST", body, self._headers(signature))

    def signed_with_another_key(self, payment: Payment) -> Callback:
        body, _ = self.fake.webhook(payment.reference)
        signature = hmac.new(b"sk_test_not_ours", body, hashlib.sha512).hexdigest()
        return Callback("POST", body, self._headers(signature))

    def callback_for_another_reference(self) -> Callback:
        body = json.dumps(
            {
                "event": "charge.success",
                "data": {"id": 1, "status": "success", "reference": NOT_OURS, "amount": 100},
            }
        ).encode()
        return Callback("POST", body, self._headers(self.fake.sign(body)))

    @staticmethod
    def _headers(signature: str) -> dict[str, str]:
        return {"content-type": "application/json", "x-paystack-signature": signature}


def _money(amount: str | float) -> Money:
    return Money(round(float(amount) * 100))


def _digits(payment: Payment) -> str:
    return payment.msisdn.e164.lstrip("+")


# ---------------------------------------------------------------- the line


class ProviderLine(Harness):
    """The harness, with the fakes' sides, and a look at payments, callbacks and the sweep.

    The test client runs the app on an event loop of its own, in another thread; the provider
    adapters' HTTP clients belong to the loop that first used them. So whatever may reach a
    provider (the worker, the sweep) runs on the app's loop too, through `in_app`.
    """

    def __init__(self, workdir: Path, sides: dict[str, Side]) -> None:
        super().__init__(workdir)
        self.sides = sides
        self.overrides["provider_timeout_seconds"] = 5
        for side in sides.values():
            self.overrides.update(side.settings())
        self.posted: list[tuple[str, int, dict[str, Any]]] = []  # provider, HTTP status, body
        self.held: set[str] = set()

    def in_app(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run on the app's own event loop, where the callbacks are handled."""

        async def wait() -> T:
            return await coro

        return self.client.blocking_portal.call(wait)

    def settle(self) -> None:
        """The worker's rounds, on the app's loop."""

        async def rounds() -> None:
            worker = self.container.worker()
            for _ in range(3):
                await worker.run_once()

        self.in_app(rounds())

    def payments(self) -> list[Payment]:
        """Oldest first."""

        async def read() -> list[Payment]:
            async with self.container.uow()() as uow:
                return await uow.payments.list(limit=1000)

        return list(reversed(self.run(read())))

    def latest_payment(self) -> Payment:
        return self.payments()[-1]

    def orders(self) -> list[Order]:
        async def read() -> list[Order]:
            async with self.container.uow()() as uow:
                return await uow.orders.list(limit=1000)

        return self.run(read())

    def wallet(self, number: str) -> Money:
        async def read() -> Money:
            async with self.container.uow()() as uow:
                customer = await uow.customers.get_by_msisdn(normalise_msisdn(number))
                assert customer is not None and customer.id is not None
                return await uow.ledger.balance(customer.id)

        return self.run(read())

    def callbacks(self) -> list[PaymentCallback]:
        """Oldest first."""

        async def read() -> list[PaymentCallback]:
            async with self.container.uow()() as uow:
                return await uow.payment_callbacks.list(limit=1000)

        return list(reversed(self.run(read())))

    def send_requests(self) -> None:
        """The worker's rounds after the answer; each new request is held pending."""
        self.settle()
        for payment in self.payments():
            if payment.reference not in self.held and payment.status is PaymentStatus.PENDING:
                self.sides[payment.provider].hold(payment)
                self.held.add(payment.reference)

    def post_callback(self, provider: str, callback: Callback) -> Any:
        response = self.run(
            self.client.request(
                callback.method,
                f"/payments/{provider}/callback",
                content=callback.body,
                headers=callback.headers,
            )
        )
        self.posted.append((provider, response.status_code, response.json()))
        return response

    def age_pending_payments(self, minutes: int) -> None:
        """As if `minutes` had passed since each pending payment was written."""

        async def shift() -> None:
            async with self.container.uow()() as uow:
                for payment in await uow.payments.list(PaymentStatus.PENDING, limit=1000):
                    earlier = payment.created_at - timedelta(minutes=minutes)
                    await uow.payments.update(replace(payment, created_at=earlier))
                await uow.commit()

        self.run(shift())

    def sweep(self) -> int:
        return self.in_app(self.container.sweep_payments()())

    def reconcile(self) -> Reconciliation:
        return self.in_app(self.container.reconcile()())


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, LocalServer]]:
    fakes: dict[str, FakeProvider] = {
        "mtn_momo": FakeMtnMomo(),
        "hubtel": FakeHubtel(),
        "paystack": FakePaystack(),
    }
    started: dict[str, LocalServer] = {}
    try:
        for name, fake in fakes.items():
            started[name] = LocalServer(fake).start()
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def sides(servers: dict[str, LocalServer]) -> dict[str, Side]:
    for server in servers.values():
        server.app.reset()
    kinds: list[type[Side]] = [MtnSide, HubtelSide, PaystackSide]
    return {kind.name: kind(servers[kind.name]) for kind in kinds}


@pytest.fixture
def line(tmp_path: Path, sides: dict[str, Side]) -> Iterator[ProviderLine]:
    """Overrides conftest's `line`: the same harness, able to reach the fake providers."""
    harness = ProviderLine(tmp_path, sides)
    yield harness
    harness.close()


@pytest.fixture
def last(line: ProviderLine) -> dict[str, Any]:
    """What a When step leaves for a Then step: the last answer, the reference used."""
    return {}


# ---------------------------------------------------------------- handset helpers


def _to_main_menu(phone: Phone) -> None:
    phone.dial()
    if "Start over" in phone.screen and "Continue" in phone.screen:
        phone.enter(_option_for(phone.screen, "Start over"))
    assert phone.screen.startswith("Hi "), phone.screen


def _choose_paging(phone: Phone, words: str) -> None:
    while not any(words in line for line in phone.screen.splitlines()):
        assert f"{MORE}. " in phone.screen, f"no option {words!r} on any page"
        phone.enter(MORE)
    phone.enter(_option_for(phone.screen, words))


# ---------------------------------------------------------------- Given


@given(parsers.re(r'the line takes mobile money through "(?P<provider>[^"]+)"'))
def takes_mobile_money_through(line: ProviderLine, provider: str) -> None:
    line.overrides["payment_provider"] = provider


@given(
    parsers.re(
        r'the line takes mobile money through "(?P<provider>[^"]+)",'
        r' and MTN MoMo through "(?P<mtn>[^"]+)"'
    )
)
def takes_mobile_money_per_network(line: ProviderLine, provider: str, mtn: str) -> None:
    line.overrides["payment_provider"] = provider
    line.overrides["payment_provider_mtn"] = mtn


# ---------------------------------------------------------------- When


@when(parsers.parse('I pay a "{size}" cylinder deposit with "{method}"'))
def pay_deposit(line: ProviderLine, me: Phone, size: str, method: str) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me.screen, "Make deposit"))
    me.enter(_option_for(me.screen, "Cylinder deposit"))
    _choose_paging(me, size)
    me.enter(_option_for(me.screen, "Confirm"))
    me.enter(_option_for(me.screen, method))
    assert me.ended and "Approve" in me.screen, me.screen
    line.send_requests()


@when(parsers.parse('I top up my wallet with GHS {amount:d} with "{method}"'))
def top_up(line: ProviderLine, me: Phone, amount: int, method: str) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me.screen, "Make deposit"))
    me.enter(_option_for(me.screen, "Top up wallet"))
    me.enter(str(amount))
    me.enter(_option_for(me.screen, "Confirm"))
    me.enter(_option_for(me.screen, method))
    assert me.ended and "Approve" in me.screen, me.screen
    line.send_requests()


@when("I open my latest order")
def open_latest_order(me: Phone) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me.screen, "Order status"))
    me.enter("1")


@when("I check my balance")
def check_balance(me: Phone) -> None:
    _to_main_menu(me)
    me.enter(_option_for(me.screen, "Account balance"))
    me.enter(DEFAULT_PIN)


@when("the provider approves the payment")
def provider_approves(line: ProviderLine) -> None:
    payment = line.latest_payment()
    line.sides[payment.provider].approve(payment)


@when("I decline the prompt")
def decline(line: ProviderLine) -> None:
    payment = line.latest_payment()
    line.sides[payment.provider].decline(payment)


@when("the provider still says the payment is pending")
def still_pending(line: ProviderLine) -> None:
    """Nothing to do: the payment is held pending until approved."""


@when(parsers.re(r"the provider says the payment (failed|was refunded)"))
def says_failed(line: ProviderLine) -> None:
    payment = line.latest_payment()
    side = line.sides[payment.provider]
    assert isinstance(side, MtnSide | HubtelSide)
    side.say_failed(payment)


@when("the provider's callback for it comes twice")
def callback_twice(line: ProviderLine) -> None:
    payment = line.latest_payment()
    side = line.sides[payment.provider]
    callback = side.callback(payment, paid=True)
    assert callback is not None
    statuses = []
    for _ in range(2):
        response = line.post_callback(payment.provider, callback)
        assert response.status_code == 200, response.text
        statuses.append(response.json()["status"])
    assert statuses == ["succeeded", "already_final"], statuses


@when("the provider tells the line as it does for a failure")
def failure_callback(line: ProviderLine) -> None:
    payment = line.latest_payment()
    callback = line.sides[payment.provider].callback(payment, paid=False)
    if callback is not None:
        response = line.post_callback(payment.provider, callback)
        assert response.status_code == 200, response.text


@when("no callback comes")
def no_callback() -> None:
    """Nothing reaches the line: MTN, for one, calls back once and never again."""


@when(parsers.re(r"(?P<minutes>\d+) minutes? pass(?:es)? and the pending payments are checked"))
def time_passes_and_sweep(line: ProviderLine, minutes: str) -> None:
    line.age_pending_payments(int(minutes))
    line.sweep()


@when("a Paystack webhook for my payment comes signed with another key")
def forged_paystack(line: ProviderLine, last: dict[str, Any]) -> None:
    payment = line.latest_payment()
    side = line.sides["paystack"]
    assert isinstance(side, PaystackSide)
    last["response"] = line.post_callback("paystack", side.signed_with_another_key(payment))


@when("a forged success callback for my payment comes")
def forged_success(line: ProviderLine, last: dict[str, Any]) -> None:
    payment = line.latest_payment()
    callback = line.sides[payment.provider].forged_success(payment)
    last["response"] = line.post_callback(payment.provider, callback)


@when("a success callback comes for a payment reference that is not ours")
def callback_not_ours(line: ProviderLine, last: dict[str, Any]) -> None:
    provider = line.settings.payment_provider
    callback = line.sides[provider].callback_for_another_reference()
    last["response"] = line.post_callback(provider, callback)


@when("each provider approves my payment and calls back")
def each_approves(line: ProviderLine) -> None:
    for payment in line.payments():
        side = line.sides[payment.provider]
        side.approve(payment)
        callback = side.callback(payment, paid=True)
        assert callback is not None
        response = line.post_callback(payment.provider, callback)
        assert response.json() == {"status": "succeeded"}, response.text


# ---------------------------------------------------------------- Then


@then(parsers.re(r"(?P<provider>\w+) was asked for GHS (?P<amount>[\d.,]+) from my number"))
def was_asked(line: ProviderLine, me: Phone, provider: str, amount: str) -> None:
    payment = line.latest_payment()
    assert payment.provider == provider, payment
    asked = line.sides[provider].requested(payment.reference)
    assert asked is not None, f"{provider} was not asked for {payment.reference}"
    money, payer = asked
    assert money.format() == f"GHS {amount}"
    assert payer[-9:] == normalise_msisdn(me.number).e164[-9:], payer


@then(parsers.re(r"(?P<provider>\w+) was not asked for my latest payment"))
def was_not_asked(line: ProviderLine, provider: str) -> None:
    payment = line.latest_payment()
    assert line.sides[provider].requested(payment.reference) is None


@then(parsers.re(r"(?P<provider>\w+) was asked for the status of my payment"))
def status_asked(line: ProviderLine, provider: str) -> None:
    payment = line.latest_payment()
    assert line.sides[provider].status_queries(payment.reference)


@then(parsers.re(r"(?P<provider>\w+) was not asked for the status of my payment"))
def status_not_asked(line: ProviderLine, provider: str) -> None:
    payment = line.latest_payment()
    assert line.sides[provider].status_queries(payment.reference) == []
    assert payment.status is PaymentStatus.PENDING


@then("every callback was recorded with its outcome")
def callbacks_recorded(line: ProviderLine) -> None:
    recorded = [(c.provider, c.outcome.value) for c in line.callbacks()]
    posted = [(provider, body["status"]) for provider, _, body in line.posted]
    assert recorded == posted
    references = {p.reference for p in line.payments()}
    for callback in line.callbacks():
        assert callback.reference in references
        assert callback.trusted is (callback.provider == "paystack")


@then("the reconciliation finds nothing amiss")
def reconciles(line: ProviderLine) -> None:
    result = line.reconcile()
    assert result.agrees, "\n".join(str(finding) for finding in result.findings)


@then(parsers.parse("the line answers {status:d}"))
def answers(last: dict[str, Any], status: int) -> None:
    assert last["response"].status_code == status, last["response"].text


@then(parsers.parse('the line answers {status:d} with "{word}"'))
def answers_with(last: dict[str, Any], status: int, word: str) -> None:
    response = last["response"]
    assert response.status_code == status, response.text
    assert response.json() == {"status": word}


@then("my payment is still pending and nothing was delivered")
def nothing_delivered(line: ProviderLine, me: Phone) -> None:
    assert line.latest_payment().status is PaymentStatus.PENDING
    assert line.wallet(me.number) == Money(0)
    texts = line.sms_to(me.number)
    assert not [t for t in texts if "added to your wallet" in t or "received for" in t], texts


@then(parsers.parse('the refused callback was recorded as "{outcome}"'))
def refused_recorded(line: ProviderLine, outcome: str) -> None:
    callback = line.callbacks()[-1]
    assert (callback.outcome, callback.reference, callback.trusted) == (
        CallbackOutcome(outcome),
        None,
        False,
    )


@then(parsers.parse('the callback was recorded as "{outcome}" with that reference'))
def recorded_with_reference(line: ProviderLine, outcome: str) -> None:
    (callback,) = line.callbacks()
    assert (callback.provider, callback.reference, callback.outcome) == (
        line.settings.payment_provider,
        NOT_OURS,
        CallbackOutcome(outcome),
    )


@then("no receipt was sent and my order is not paid")
def not_paid(line: ProviderLine, me: Phone) -> None:
    texts = line.sms_to(me.number)
    assert not [t for t in texts if "received for order" in t], texts
    (order,) = line.orders()
    assert order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.PAYMENT_FAILED), order
    assert order.amount_paid == Money(0)


@then("my orders are all paid")
def all_paid(line: ProviderLine) -> None:
    orders = line.orders()
    assert len(orders) == 2
    assert all(o.status is OrderStatus.PAID and o.amount_paid == o.total for o in orders), orders
