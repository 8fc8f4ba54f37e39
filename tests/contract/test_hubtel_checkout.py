"""Hubtel's own checkout over HTTP: the `Item` on the closing answer, the service fulfilment
request Hubtel posts to `/ussd/hubtel/fulfilment`, and the report back to Hubtel's fulfilment
callback, sent by the worker to a fake of Hubtel served on 127.0.0.1 by the test itself.

The payloads follow Hubtel's Programmable Services documents and its .NET SDK (see
src/lpg_ussd/adapters/payments/hubtel_checkout.py): a USSD hop is answered `Release` with
`Item` {`ItemName`, `Qty`, `Price`}; Hubtel's app and web channels get `AddToCart`. With the
checkout off, or on another aggregator, mobile money works as before.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lpg_ussd.adapters.payments.base import MalformedCallback
from lpg_ussd.adapters.payments.hubtel_checkout import HubtelCheckoutPaymentGateway
from lpg_ussd.application.payments import Settlement
from lpg_ussd.application.ports import CheckoutReport, CheckoutReportFailed
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.outbox import OutboxKind, OutboxStatus
from lpg_ussd.domain.payment import Payment, PaymentStatus, checkout_reference
from lpg_ussd.entrypoints.http.app import callback_routes
from lpg_ussd.settings import Settings, SettingsError
from tests.acceptance.handsets import Handset
from tests.acceptance.harness import Harness
from tests.contract.gateway_checks import (
    NUMBER,
    TEXTS,
    answer,
    order_count,
    payment_requests,
    post,
    random_bodies,
    registered,
)
from tests.contract.payments.server import FakeProvider, LocalServer, Reply, Request

GATEWAY = "hubtel"
CHECKOUT = "hubtel_checkout"
LIMIT = 160
POS = "11684"
TOKEN = "fulfilment-Token_0123456789"


class FakeHubtelCheckout(FakeProvider):
    """Hubtel's fulfilment callback (`POST /callback`) and its status check
    (`GET /transactions/{pos}/status?clientReference=<session>`), on one server."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.statuses: dict[str, dict[str, Any]] = {}

    def route(self, request: Request) -> str:
        if request.method == "POST" and request.path == "/callback":
            return "report"
        if request.method == "GET" and request.path == f"/transactions/{POS}/status":
            return "status"
        return "other"

    def handle(self, request: Request) -> Reply:
        kind = self.route(request)
        if kind == "report":
            return Reply(200, {"ResponseCode": "0000", "Message": "Success"})
        if kind == "status":
            data = self.statuses.get(request.query.get("clientReference", ""))
            if data is None:
                return Reply(404, {"message": "not found"})
            return Reply(200, {"message": "Successful", "responseCode": "0000", "data": data})
        return Reply(404, {"message": "no such route"})

    def reports(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.seen("report")]


@pytest.fixture(scope="module")
def hubtel_server() -> Iterator[LocalServer]:
    server = LocalServer(FakeHubtelCheckout()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake(hubtel_server: LocalServer) -> FakeHubtelCheckout:
    app = hubtel_server.app
    assert isinstance(app, FakeHubtelCheckout)
    app.reset()
    return app


def checkout_settings(server: LocalServer, **more: Any) -> dict[str, Any]:
    return {
        "hubtel_checkout": True,
        "hubtel_checkout_callback_url": f"{server.url}/callback",
        "hubtel_status_base_url": server.url,
        "hubtel_pos_sales_id": POS,
        "hubtel_api_id": "fake-id",
        "hubtel_api_key": "fake-key",
        **more,
    }


@pytest.fixture
def line(tmp_path: Path, hubtel_server: LocalServer, fake: FakeHubtelCheckout) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    harness.overrides.update(checkout_settings(hubtel_server))
    yield harness
    harness.close()


@pytest.fixture
def plain_line(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.close()


# -- driving the line as Hubtel would ----------------------------------------------------------


class Session:
    """One Hubtel USSD session, hop by hop, with the raw JSON answers."""

    def __init__(self, line: Harness, session_id: str, **fields: Any) -> None:
        self.line = line
        self.session_id = session_id
        self.sequence = 0
        self.fields = fields
        self.last: dict[str, Any] = {}

    def hop(self, kind: str, message: str, sequence: int | None = None) -> dict[str, Any]:
        if sequence is None:
            self.sequence += 1
            sequence = self.sequence
        body = {
            "SessionId": self.session_id,
            "Mobile": "233244000001",
            "ServiceCode": "*384*303#",
            "Type": kind,
            "Message": message,
            "Operator": "mtn",
            "ClientState": "",
            "Sequence": sequence,
            "Platform": "USSD",
            **self.fields,
        }
        body = {name: value for name, value in body.items() if value is not ...}
        self.last = answer(post(self.line, GATEWAY, body), "Message", LIMIT)
        return self.last

    def dial(self) -> dict[str, Any]:
        return self.hop("initiation", "*384*303#")

    def enter(self, *entries: str) -> dict[str, Any]:
        for entry in entries:
            self.hop("response", entry)
        return self.last


DEPOSIT_3KG_BY_MTN = ("1", "1", "1", "1", "1")  # deposit, cylinder, 3kg steel, confirm, MTN
TOTAL_3KG = 14200


def deposit(line: Harness, session_id: str = "hubtel-checkout-1", **fields: Any) -> Session:
    session = Session(line, session_id, **fields)
    session.dial()
    session.enter(*DEPOSIT_3KG_BY_MTN)
    return session


def fulfilment(
    session_id: str = "hubtel-checkout-1",
    order_id: str = "a2c5b0ad57f14b7a8c3d0e1f2a3b4c5d",
    successful: Any = True,
    amount: Any = 142.0,
    **fields: Any,
) -> dict[str, Any]:
    """A service fulfilment request as Hubtel's documents and SDK describe it."""
    body = {
        "SessionId": session_id,
        "OrderId": order_id,
        "ExtraData": {},
        "OrderInfo": {
            "CustomerMobileNumber": "233244000001",
            "CustomerName": "Ama Mensah",
            "Status": "Paid" if successful is True else "Unpaid",
            "OrderDate": "2026-03-02T09:00:00",
            "Currency": "GHS",
            "BranchName": "Main",
            "IsRecurring": False,
            "RecurringInvoiceId": "",
            "Subtotal": 143.5,
            "Items": [
                {"ItemId": "", "Name": "3kg steel NG-XXXXXX", "Quantity": 1, "UnitPrice": 142.0}
            ],
            "Payment": {
                "PaymentType": "mobilemoney",
                "AmountPaid": amount,
                "AmountAfterCharges": 140.58,
                "PaymentDate": "2026-03-02T09:01:00",
                "PaymentDescription": "The MTN Mobile Money payment has been approved",
                "IsSuccessful": successful,
            },
        },
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not ...}


def fulfil(
    line: Harness, body: dict[str, Any] | bytes, path: str = "/ussd/hubtel/fulfilment"
) -> Any:
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"content-type": "application/json"}
    return line.run(line.client.post(path, content=content, headers=headers))


def run_worker(line: Harness) -> None:
    line.run(line.container.dispatch_outbox().run_once())


def payments(line: Harness) -> list[Payment]:
    async def read() -> list[Payment]:
        async with line.container.uow()() as uow:
            return await uow.payments.list(limit=100)

    return line.run(read())


def latest_order(line: Harness) -> Order:
    card = line.run(line.container.find_customer_card()(NUMBER))
    assert card is not None
    orders: list[Order] = line.run(line.container.customer_orders()(card.id, 100))
    return orders[0]


def reports_queued(line: Harness) -> list[dict[str, Any]]:
    return [m.payload for m in line.outbox(OutboxKind.CHECKOUT_REPORT)]


# -- the answer that hands the customer to Hubtel's checkout -----------------------------------


def test_a_deposit_ends_with_a_release_carrying_the_item(line: Harness) -> None:
    registered(line, GATEWAY)

    body = deposit(line).last

    order = latest_order(line)
    assert body["Type"] == "Release"
    assert body["Item"] == {
        "ItemName": f"3kg steel {order.reference}",
        "Qty": 1,
        "Price": 142.0,
        "ServiceData": {"PaymentReference": checkout_reference("hubtel-checkout-1")},
    }
    assert body["Message"] == TEXTS("pay.checkout", amount="GHS 142.00", ref=order.reference)
    assert body["DataType"] == "display" and body["ClientState"] == ""
    assert order.status is OrderStatus.AWAITING_PAYMENT
    (payment,) = payments(line)
    assert (payment.provider, payment.status) == (CHECKOUT, PaymentStatus.PENDING)
    assert payment.reference == checkout_reference("hubtel-checkout-1")
    assert payment.provider_reference == "hubtel-checkout-1"
    assert payment.amount.pesewas == TOTAL_3KG
    assert payment_requests(line) == 0  # Hubtel prompts the customer itself


def test_the_full_deposit_is_settled_by_the_fulfilment_and_reported_once(
    line: Harness, fake: FakeHubtelCheckout
) -> None:
    registered(line, GATEWAY)
    deposit(line)

    response = fulfil(line, fulfilment())

    assert response.status_code == 200 and response.json() == {"status": "succeeded"}
    order = latest_order(line)
    assert order.status is OrderStatus.PAID and order.amount_paid.pesewas == TOTAL_3KG
    assert any("payment of GHS 142.00 received for order" in t for t in line.sms_to(NUMBER))
    run_worker(line)
    run_worker(line)
    assert fake.reports() == [
        {
            "sessionId": "hubtel-checkout-1",
            "orderId": "a2c5b0ad57f14b7a8c3d0e1f2a3b4c5d",
            "transactionId": checkout_reference("hubtel-checkout-1"),
            "description": f"Payment {checkout_reference('hubtel-checkout-1')} delivered",
            "serviceStatus": "success",
            "metaData": None,
        }
    ]
    assert fake.seen("report")[0].headers["content-type"] == "application/json"
    (message,) = line.outbox(OutboxKind.CHECKOUT_REPORT)
    assert message.status is OutboxStatus.SENT
    # The customer sees the order paid.
    phone = Handset(line, NUMBER, gateway=GATEWAY)
    phone.dial()
    phone.enter("2")
    phone.enter("1")
    assert "Paid GHS 142.00" in phone.screen


def test_a_failed_payment_fails_the_order_and_is_reported_failed(
    line: Harness, fake: FakeHubtelCheckout
) -> None:
    registered(line, GATEWAY)
    deposit(line)

    response = fulfil(line, fulfilment(successful=False, amount=0))

    assert response.status_code == 200 and response.json() == {"status": "failed"}
    assert latest_order(line).status is OrderStatus.PAYMENT_FAILED
    assert any("declined" in t.lower() for t in line.sms_to(NUMBER)), line.sms_to(NUMBER)
    run_worker(line)
    (report,) = fake.reports()
    assert report["serviceStatus"] == "failed"


def test_a_repeated_fulfilment_changes_nothing(line: Harness, fake: FakeHubtelCheckout) -> None:
    registered(line, GATEWAY)
    deposit(line)
    fulfil(line, fulfilment())
    before = (line.outbox(), payments(line), latest_order(line))

    again = fulfil(line, fulfilment())
    contrary = fulfil(line, fulfilment(successful=False))

    assert again.status_code == contrary.status_code == 200
    assert again.json() == contrary.json() == {"status": "already_final"}
    assert (line.outbox(), payments(line), latest_order(line)) == before
    run_worker(line)
    assert len(fake.reports()) == 1


def test_a_top_up_through_the_checkout_credits_the_wallet(
    line: Harness, fake: FakeHubtelCheckout
) -> None:
    registered(line, GATEWAY)
    session = Session(line, "hubtel-topup-1")
    session.dial()
    body = session.enter("1", "2", "50", "1", "2")  # deposit, top up, 50, confirm, Telecel

    reference = checkout_reference("hubtel-topup-1")
    assert body["Type"] == "Release"
    assert body["Item"]["ItemName"] == f"Wallet top-up {reference}"
    assert (body["Item"]["Qty"], body["Item"]["Price"]) == (1, 50.0)
    assert body["Message"] == TEXTS("topup.checkout", amount="GHS 50.00", ref=reference)
    assert payment_requests(line) == 0

    response = fulfil(line, fulfilment("hubtel-topup-1", amount="50.00"))

    assert response.json() == {"status": "succeeded"}
    assert any("GHS 50.00 added to your wallet" in t for t in line.sms_to(NUMBER))
    run_worker(line)
    assert [r["serviceStatus"] for r in fake.reports()] == ["success"]


def test_a_refill_through_the_checkout(line: Harness) -> None:
    registered(line, GATEWAY)
    session = Session(line, "hubtel-refill-1")
    session.dial()
    body = session.enter("5", "1", "1", "1")  # refill, 3kg steel, confirm, MTN

    assert body["Type"] == "Release"
    assert body["Item"]["Price"] == 42.0
    assert body["Item"]["ItemName"] == f"3kg steel {latest_order(line).reference}"
    fulfil(line, fulfilment("hubtel-refill-1", amount=42))
    assert latest_order(line).status is OrderStatus.PAID


def test_a_repeated_checkout_hop_gets_the_same_item_and_places_one_order(line: Harness) -> None:
    registered(line, GATEWAY)
    session = deposit(line)
    first = session.last

    again = session.hop("response", "1", sequence=session.sequence)

    assert again == first and "Item" in again
    assert order_count(line) == 1
    assert len(payments(line)) == 1


def test_hubtels_app_channel_gets_add_to_cart(line: Harness) -> None:
    registered(line, GATEWAY)

    body = deposit(line, Platform=..., Operator="Hubtel-Android").last

    assert body["Type"] == "AddToCart"
    assert body["Item"]["Price"] == 142.0


def test_wallet_and_pay_on_delivery_are_not_handed_to_the_checkout(line: Harness) -> None:
    registered(line, GATEWAY)
    session = Session(line, "hubtel-cod")
    session.dial()

    body = session.enter("1", "1", "1", "1", "5")  # ... pay on delivery

    assert body["Type"] == "Release" and "Item" not in body
    assert "placed" in body["Message"]
    assert payments(line) == []


def test_a_short_screen_pages_the_message_and_hands_over_on_its_last_page(
    tmp_path: Path, hubtel_server: LocalServer
) -> None:
    first = Harness(tmp_path)
    first.overrides.update(checkout_settings(hubtel_server))
    registered(first, GATEWAY)
    first.close()
    line = Harness(tmp_path)  # the same database, on a line with 60-character screens
    line.overrides.update(checkout_settings(hubtel_server, screen_limit=60))
    try:
        session = Session(line, "hubtel-paged")
        session.dial()
        body = session.enter(*DEPOSIT_3KG_BY_MTN)
        pages = 1
        while body["Type"] == "Response":
            assert "Item" not in body
            body = session.enter("98")
            pages += 1
        assert pages > 1
        assert body["Type"] == "Release" and body["Item"]["Price"] == 142.0
        again = session.hop("response", "98", sequence=session.sequence)
        assert again == body
    finally:
        line.close()


# -- the fulfilment request: unknown, malformed, guarded ---------------------------------------


def test_a_fulfilment_for_an_unknown_session_is_answered_without_error(line: Harness) -> None:
    registered(line, GATEWAY)
    deposit(line)

    response = fulfil(line, fulfilment("a-session-we-never-saw"))

    assert response.status_code == 200 and response.json() == {"status": "unknown"}
    assert latest_order(line).status is OrderStatus.AWAITING_PAYMENT
    assert reports_queued(line) == []


def test_an_underpaid_success_is_left_pending_and_not_reported(line: Harness) -> None:
    registered(line, GATEWAY)
    deposit(line)

    response = fulfil(line, fulfilment(amount=141.99))

    assert response.json() == {"status": "still_pending"}
    assert latest_order(line).status is OrderStatus.AWAITING_PAYMENT
    assert reports_queued(line) == []


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        pytest.param({"sessionId": "hubtel-checkout-1", "SessionId": ...}, "succeeded", id="camel"),
        pytest.param(
            {"OrderInfo": {"Status": "Paid", "Payment": {"AmountPaid": 142}}},
            "succeeded",
            id="only status and amount",
        ),
        pytest.param({"OrderInfo": {"Status": "Unpaid", "Payment": {}}}, "failed", id="unpaid"),
        pytest.param(
            {"OrderInfo": {"Payment": {"IsSuccessful": "true", "AmountPaid": "142.00"}}},
            "succeeded",
            id="strings",
        ),
        pytest.param(
            {
                "SessionId": ...,
                "ExtraData": {"PaymentReference": checkout_reference("hubtel-checkout-1")},
            },
            "succeeded",
            id="our reference in ExtraData",
        ),
    ],
)
def test_the_variants_of_the_request_are_read(
    line: Harness, changes: dict[str, Any], status: str
) -> None:
    registered(line, GATEWAY)
    deposit(line)

    response = fulfil(line, fulfilment(**changes))

    assert response.status_code == 200, response.text
    assert response.json() == {"status": status}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{", id="truncated"),
        pytest.param(b"[]", id="an array"),
        pytest.param(b"null", id="null"),
        pytest.param(b"\xff\xfe{}", id="not utf-8"),
        pytest.param(fulfilment(SessionId=...), id="no session"),
        pytest.param(fulfilment(OrderInfo="paid"), id="OrderInfo not an object"),
        pytest.param(fulfilment(OrderInfo={"Payment": []}), id="Payment not an object"),
        pytest.param(fulfilment(OrderInfo={}), id="no outcome"),
        pytest.param(fulfilment(OrderInfo={"Status": "Whatever", "Payment": {}}), id="odd status"),
    ],
)
def test_a_body_that_cannot_be_read_is_refused(line: Harness, body: Any) -> None:
    registered(line, GATEWAY)
    deposit(line)

    response = fulfil(line, body)

    assert response.status_code == 400, response.text
    assert latest_order(line).status is OrderStatus.AWAITING_PAYMENT


def test_no_body_whatever_its_bytes_gives_a_server_error(line: Harness) -> None:
    registered(line, GATEWAY)
    deposit(line)
    template = fulfilment()

    for body in random_bodies(template, count=60, seed=905):
        response = fulfil(line, body)
        assert response.status_code in (200, 400), (body, response.status_code, response.text)
    for body in random_bodies(template["OrderInfo"]["Payment"], count=40, seed=906):
        try:
            payment = json.loads(body)
        except ValueError:
            payment = body.decode("latin-1")
        nested = fulfilment(OrderInfo={**template["OrderInfo"], "Payment": payment})
        response = fulfil(line, nested)
        assert response.status_code in (200, 400), (payment, response.status_code, response.text)


def test_the_fulfilment_route_takes_the_hubtel_callback_token(
    tmp_path: Path, hubtel_server: LocalServer
) -> None:
    line = Harness(tmp_path)
    line.overrides.update(checkout_settings(hubtel_server, hubtel_callback_token=TOKEN))
    try:
        assert fulfil(line, fulfilment()).status_code == 401
        assert fulfil(line, fulfilment(), f"/ussd/hubtel/fulfilment/{TOKEN}").json() == {
            "status": "unknown"
        }
    finally:
        line.close()


def test_the_callback_route_still_answers_beside_the_fulfilment_route(line: Harness) -> None:
    body = Session(line, "s-1").dial()

    assert body["Type"] == "Response"


# -- off, or another aggregator: mobile money as before ------------------------------------------


def test_with_the_checkout_off_mobile_money_is_unchanged(plain_line: Harness) -> None:
    registered(plain_line, GATEWAY)

    body = deposit(plain_line).last

    assert body["Type"] == "Release" and "Item" not in body
    assert "Approve the GHS 142.00 prompt from Demo Gas" in body["Message"]
    assert payment_requests(plain_line) == 1
    assert fulfil(plain_line, fulfilment()).status_code == 404


def test_on_another_aggregator_mobile_money_is_unchanged(line: Harness) -> None:
    phone = registered(line, "africastalking")
    phone.dial()
    for entry in DEPOSIT_3KG_BY_MTN:
        phone.enter(entry)

    assert phone.ended and "Approve the GHS 142.00 prompt" in phone.screen
    assert payment_requests(line) == 1
    (payment,) = payments(line)
    assert payment.provider == "simulated"
    assert fulfil(line, fulfilment(), "/ussd/africastalking/fulfilment").status_code == 404


# -- the status check, for a fulfilment that never comes ---------------------------------------


def test_a_fulfilment_that_never_comes_is_settled_by_hubtels_status_check(
    line: Harness, fake: FakeHubtelCheckout
) -> None:
    registered(line, GATEWAY)
    deposit(line)
    fake.statuses["hubtel-checkout-1"] = {
        "status": "Paid",
        "amount": 142.0,
        "transactionId": "hubtel-txn-7",
        "clientReference": "hubtel-checkout-1",
    }

    result = line.run(line.container.confirm_payment()(checkout_reference("hubtel-checkout-1")))

    assert result is Settlement.SUCCEEDED
    assert latest_order(line).status is OrderStatus.PAID
    (check,) = fake.seen("status")
    assert check.query == {"clientReference": "hubtel-checkout-1"}
    assert check.headers["authorization"].startswith("Basic ")
    # The fulfilment that comes late is reported once, and changes nothing else.
    assert fulfil(line, fulfilment()).json() == {"status": "already_final"}
    assert fulfil(line, fulfilment()).json() == {"status": "already_final"}
    assert len(reports_queued(line)) == 1


def test_an_unpaid_status_leaves_the_payment_pending(
    line: Harness, fake: FakeHubtelCheckout
) -> None:
    registered(line, GATEWAY)
    deposit(line)
    fake.statuses["hubtel-checkout-1"] = {"status": "Unpaid", "amount": 142.0}

    result = line.run(line.container.confirm_payment()(checkout_reference("hubtel-checkout-1")))

    assert result is Settlement.STILL_PENDING
    assert latest_order(line).status is OrderStatus.AWAITING_PAYMENT


def test_the_payments_webhook_takes_no_checkout_callback(line: Harness) -> None:
    response = line.run(
        line.client.post("/payments/hubtel_checkout/callback", content=b'{"reference": "x"}')
    )

    assert response.status_code == 401


# -- the report, against the fake Hubtel ---------------------------------------------------------


def reporter(server: LocalServer) -> HubtelCheckoutPaymentGateway:
    return HubtelCheckoutPaymentGateway(callback_url=f"{server.url}/callback", timeout_seconds=2)


REPORT = CheckoutReport(CHECKOUT, "s-1", "o-1", "CABCDEFGHJKM", True, "Payment delivered")


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (400, True), (404, True)]
)
def test_a_refused_report_says_whether_to_try_again(
    hubtel_server: LocalServer, fake: FakeHubtelCheckout, status: int, permanent: bool
) -> None:
    fake.fail_next("report", status=status)
    gateway = reporter(hubtel_server)

    async def send() -> None:
        try:
            await gateway.report(REPORT)
        finally:
            await gateway.aclose()

    with pytest.raises(CheckoutReportFailed) as raised:
        asyncio.run(send())
    assert raised.value.permanent is permanent


def test_a_report_that_times_out_is_tried_again(
    hubtel_server: LocalServer, fake: FakeHubtelCheckout
) -> None:
    fake.slow_next("report", seconds=3)
    gateway = HubtelCheckoutPaymentGateway(
        callback_url=f"{hubtel_server.url}/callback", timeout_seconds=0.5
    )

    async def send() -> None:
        try:
            await gateway.report(REPORT)
        finally:
            await gateway.aclose()

    with pytest.raises(CheckoutReportFailed) as raised:
        asyncio.run(send())
    assert not raised.value.permanent


def test_the_worker_tries_a_failed_report_again_and_sends_it_once(
    line: Harness, fake: FakeHubtelCheckout
) -> None:
    registered(line, GATEWAY)
    deposit(line)
    fulfil(line, fulfilment())
    fake.fail_next("report", status=502)

    run_worker(line)
    (message,) = line.outbox(OutboxKind.CHECKOUT_REPORT)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1

    async def due_now() -> None:  # as if the back-off had passed
        async with line.container.uow()() as uow:
            assert message.id is not None
            await uow.outbox.mark_retry(message.id, "test", line.container.clock().now())
            await uow.commit()

    line.run(due_now())
    run_worker(line)
    run_worker(line)

    assert len(fake.seen("report")) == 2  # the refused one, then the one that went through
    (sent,) = line.outbox(OutboxKind.CHECKOUT_REPORT)
    assert sent.status is OutboxStatus.SENT


# -- reading the request, without HTTP --------------------------------------------------------


def read(body: Any) -> Any:
    gateway = HubtelCheckoutPaymentGateway()
    content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return gateway.read_fulfilment(content)


def test_the_request_is_read_into_an_outcome() -> None:
    outcome = read(fulfilment(amount=142.505))

    assert outcome.session_id == "hubtel-checkout-1"
    assert outcome.order_id == "a2c5b0ad57f14b7a8c3d0e1f2a3b4c5d"
    assert outcome.successful is True
    assert outcome.amount_paid_pesewas == 14250
    assert outcome.currency == "GHS"


@pytest.mark.parametrize("amount", [None, "abc", True, [], {}, "NaN", "-1", "Infinity"])
def test_an_unreadable_amount_is_none(amount: Any) -> None:
    assert read(fulfilment(amount=amount)).amount_paid_pesewas is None


def test_no_session_and_no_reference_is_malformed() -> None:
    with pytest.raises(MalformedCallback):
        read(fulfilment(SessionId=..., ExtraData={"note": "hello world"}))


# -- settings ------------------------------------------------------------------------------------


def test_the_checkout_is_off_by_default_and_reports_to_hubtels_documented_url() -> None:
    settings = Settings.from_env({})

    assert settings.hubtel_checkout is False
    assert settings.hubtel_checkout_callback_url == "https://gs-callback.hubtel.com:9055/callback"


def test_the_checkout_is_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "LPG_USSD_HUBTEL_CHECKOUT": "true",
            "LPG_USSD_HUBTEL_CHECKOUT_CALLBACK_URL": "https://gs-callback.hubtel.com/callback",
        }
    )

    assert settings.hubtel_checkout is True
    assert settings.hubtel_checkout_callback_url == "https://gs-callback.hubtel.com/callback"


def test_a_checkout_callback_url_that_is_not_one_is_refused() -> None:
    with pytest.raises(SettingsError, match="HUBTEL_CHECKOUT_CALLBACK_URL"):
        Settings.from_env({}, hubtel_checkout=True, hubtel_checkout_callback_url="gs-callback")


def test_the_open_fulfilment_route_is_warned_about(line: Harness) -> None:
    assert "/ussd/hubtel/fulfilment" in callback_routes(line.container)["hubtel"]
    assert "/ussd/hubtel/fulfilment" not in callback_routes(line.container)["nalo"]
