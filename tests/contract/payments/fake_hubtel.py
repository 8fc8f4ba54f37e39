"""A fake of Hubtel Receive Money and its status check, following ../shared/gateways.md.

One server plays both hosts: `POST /merchantaccount/merchants/{pos}/receive/mobilemoney`
answers `ResponseCode` 0001 (pending); `GET /transactions/{pos}/status?clientReference=...`
answers `data.status`, scripted per reference with `will`. Both take Basic auth.

How Hubtel answers a ClientReference it has already seen is not documented: this fake
answers 400 with ResponseCode 4000 and a message naming the duplicate (`duplicate_reply`
lets a test try other shapes).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.contract.payments.server import FakeProvider, Reply, Request

CHANNELS = ("mtn-gh", "vodafone-gh", "tigo-gh")
MSISDN = re.compile(r"^233\d{9}$")


@dataclass
class Transaction:
    body: dict[str, Any]
    transaction_id: str
    polls: int = 0
    statuses: list[str] = field(default_factory=list)


class FakeHubtel(FakeProvider):
    def __init__(
        self, pos_sales_id: str = "11684", api_id: str = "fake-id", api_key: str = "fake-key"
    ) -> None:
        self.pos_sales_id = pos_sales_id
        self.api_id = api_id
        self.api_key = api_key
        super().__init__()
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.transactions: dict[str, Transaction] = {}
        self.scripts: dict[str, list[str]] = {}
        self.refusal: Reply | None = None  # answer every prompt request so, and keep nothing
        self.duplicate_reply = Reply(
            400, {"ResponseCode": "4000", "Message": "Duplicate ClientReference", "Data": None}
        )
        self.reported_amount: float | None = None

    # -- what tests ask of it ---------------------------------------------------------

    def will(self, client_reference: str, *statuses: str) -> None:
        """`data.status` answers for this reference, one per check, the last repeated."""
        self.scripts[client_reference] = list(statuses)

    def refuse(self, code: str, http_status: int = 400) -> None:
        messages = {
            "4000": "Validation errors",
            "4070": "Fees not set for given conditions",
            "4101": "Business not fully set up to receive payments",
            "4103": "Permission denied",
        }
        self.refusal = Reply(http_status, {"ResponseCode": code, "Message": messages[code]})

    def callback_body(self, client_reference: str, paid: bool) -> bytes:
        transaction = self.transactions[client_reference]
        body = transaction.body
        return json.dumps(
            {
                "ResponseCode": "0000" if paid else "2001",
                "Message": "success" if paid else "failed",
                "Data": {
                    "Amount": body["Amount"],
                    "Charges": 0.05,
                    "AmountAfterCharges": body["Amount"],
                    "Description": "approved" if paid else "FAILED",
                    "ClientReference": client_reference,
                    "TransactionId": transaction.transaction_id,
                    "ExternalTransactionId": "2116938399",
                    "AmountCharged": body["Amount"] + 0.05,
                    "OrderId": transaction.transaction_id,
                    "PaymentDate": "2026-03-02T09:00:30.000Z",
                },
            }
        ).encode()

    # -- the API ------------------------------------------------------------------------

    def route(self, request: Request) -> str:
        pos = self.pos_sales_id
        receive = f"/merchantaccount/merchants/{pos}/receive/mobilemoney"
        if request.method == "POST" and request.path == receive:
            return "request"
        if request.method == "GET" and request.path == f"/transactions/{pos}/status":
            return "status"
        return "other"

    def handle(self, request: Request) -> Reply:
        expected = base64.b64encode(f"{self.api_id}:{self.api_key}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, {"ResponseCode": "4101", "Message": "Unauthorized"})
        kind = self.route(request)
        if kind == "request":
            return self._receive(request)
        if kind == "status":
            return self._status(request.query.get("clientReference", ""))
        return Reply(404, {"Message": "Not found"})

    def _receive(self, request: Request) -> Reply:
        if self.refusal is not None:
            return self.refusal
        body = request.json()
        errors = self._invalid(body)
        if errors:
            return Reply(
                400, {"ResponseCode": "4000", "Message": "Validation errors", "Data": errors}
            )
        reference = body["ClientReference"]
        if reference in self.transactions:
            return self.duplicate_reply
        transaction_id = f"{len(self.transactions) + 1:032x}"
        self.transactions[reference] = Transaction(body, transaction_id)
        return Reply(
            200,
            {
                "Message": "Transaction pending. Expect callback request for final state",
                "ResponseCode": "0001",
                "Data": {
                    "TransactionId": transaction_id,
                    "Description": body["Description"],
                    "ClientReference": reference,
                    "Amount": body["Amount"],
                    "Charges": 0.05,
                    "AmountAfterCharges": body["Amount"],
                    "AmountCharged": body["Amount"] + 0.05,
                    "DeliveryFee": 0.0,
                },
            },
        )

    @staticmethod
    def _invalid(body: Any) -> list[dict[str, str]]:
        if not isinstance(body, dict):
            return [{"Field": "body", "Message": "not an object"}]
        errors = []
        if not MSISDN.match(str(body.get("CustomerMsisdn", ""))):
            errors.append({"Field": "CustomerMsisdn", "Message": "233 and 9 digits"})
        if body.get("Channel") not in CHANNELS:
            errors.append({"Field": "Channel", "Message": "unknown channel"})
        amount = body.get("Amount")
        exponent = (
            Decimal(str(amount)).as_tuple().exponent if isinstance(amount, int | float) else 0
        )
        if not isinstance(amount, int | float) or not isinstance(exponent, int) or exponent < -2:
            errors.append({"Field": "Amount", "Message": "a number with 2 decimals at most"})
        reference = str(body.get("ClientReference", ""))
        if not reference.isalnum() or len(reference) > 36:
            errors.append({"Field": "ClientReference", "Message": "alphanumeric, 36 at most"})
        for name in ("PrimaryCallbackUrl", "Description"):
            if not body.get(name):
                errors.append({"Field": name, "Message": "required"})
        return errors

    def _status(self, reference: str) -> Reply:
        transaction = self.transactions.get(reference)
        if transaction is None:
            return Reply(404, {"message": "Transaction not found", "responseCode": "4004"})
        script = self.scripts.get(reference) or ["Paid"]
        status = script[min(transaction.polls, len(script) - 1)]
        transaction.polls += 1
        transaction.statuses.append(status)
        amount = self.reported_amount or transaction.body["Amount"]
        return Reply(
            200,
            {
                "message": "Successful",
                "responseCode": "0000",
                "data": {
                    "date": "2026-03-02T09:00:30.000Z",
                    "status": status,
                    "transactionId": transaction.transaction_id,
                    "externalTransactionId": "0000006824852622",
                    "paymentMethod": "mobilemoney",
                    "clientReference": reference,
                    "currencyCode": None,
                    "amount": amount,
                    "charges": 0.05,
                    "amountAfterCharges": amount,
                    "isFulfilled": None,
                },
            },
        )
