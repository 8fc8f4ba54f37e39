"""A fake of Paystack's charge and verify endpoints and its signed webhook, following
../shared/gateways.md.

`POST /charge` (Bearer secret key) answers `data.status` as told by `charge_answers`
(default `pay_offline`); a reused reference gets 400 "Duplicate Transaction Reference".
`GET /transaction/verify/{reference}` answers `data.status`, scripted per reference.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from tests.contract.payments.server import FakeProvider, Reply, Request

PROVIDERS = ("mtn", "vod", "atl")
VERIFY = "/transaction/verify/"


@dataclass
class Transaction:
    id: int
    body: dict[str, Any]
    polls: int = 0
    statuses: list[tuple[str, str]] = field(default_factory=list)


class FakePaystack(FakeProvider):
    def __init__(self, secret_key: str = "sk_test_fake") -> None:
        self.secret_key = secret_key
        super().__init__()
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.transactions: dict[str, Transaction] = {}
        self.charge_status = "pay_offline"
        self.charge_message = "Charge attempted"
        self.scripts: dict[str, list[tuple[str, str]]] = {}
        self.reported_amount: int | None = None

    # -- what tests ask of it ---------------------------------------------------------

    def will(self, reference: str, *outcomes: str | tuple[str, str]) -> None:
        """Verify answers for this reference, one per call, the last repeated:
        `"pending"`, `"success"`, `("failed", "Insufficient funds")`."""
        self.scripts[reference] = [o if isinstance(o, tuple) else (o, o) for o in outcomes]

    def webhook(self, reference: str, event: str = "charge.success") -> tuple[bytes, str]:
        """A webhook body Paystack would post, and its x-paystack-signature."""
        transaction = self.transactions[reference]
        body = json.dumps(
            {
                "event": event,
                "data": {
                    "id": transaction.id,
                    "domain": "test",
                    "status": "success",
                    "reference": reference,
                    "amount": transaction.body["amount"],
                    "currency": transaction.body["currency"],
                    "channel": "mobile_money",
                    "gateway_response": "Approved",
                },
            }
        ).encode()
        return body, self.sign(body)

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret_key.encode(), body, hashlib.sha512).hexdigest()

    # -- the API ------------------------------------------------------------------------

    def route(self, request: Request) -> str:
        if request.method == "POST" and request.path == "/charge":
            return "charge"
        if request.method == "GET" and request.path.startswith(VERIFY):
            return "verify"
        return "other"

    def handle(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.secret_key}":
            return Reply(401, {"status": False, "message": "Invalid key"})
        kind = self.route(request)
        if kind == "charge":
            return self._charge(request.json())
        if kind == "verify":
            return self._verify(request.path.removeprefix(VERIFY))
        return Reply(404, {"status": False, "message": "Not found"})

    def _charge(self, body: Any) -> Reply:
        problem = self._invalid(body)
        if problem is not None:
            return Reply(400, {"status": False, "message": problem})
        reference = body["reference"]
        if reference in self.transactions:
            return Reply(400, {"status": False, "message": "Duplicate Transaction Reference"})
        transaction = Transaction(4_000_000 + len(self.transactions) + 1, body)
        self.transactions[reference] = transaction
        data: dict[str, Any] = {
            "id": transaction.id,
            "reference": reference,
            "status": self.charge_status,
            "amount": body["amount"],
            "currency": body["currency"],
        }
        if self.charge_status == "pay_offline":
            data["display_text"] = "Please complete authorization process on your mobile phone"
        if self.charge_status == "send_otp":
            data["display_text"] = "Please enter the OTP sent to your phone"
        if self.charge_status == "failed":
            data["gateway_response"] = self.charge_message
            data["message"] = self.charge_message
        return Reply(200, {"status": True, "message": "Charge attempted", "data": data})

    @staticmethod
    def _invalid(body: Any) -> str | None:
        if not isinstance(body, dict):
            return "Invalid body"
        if not isinstance(body.get("amount"), int) or body["amount"] <= 0:
            return "Invalid Amount Sent"
        if "@" not in str(body.get("email", "")):
            return "Invalid Email Address Passed"
        if body.get("currency") != "GHS":
            return "Currency not supported by merchant"
        if not body.get("reference"):
            return "Reference is required"
        mobile_money = body.get("mobile_money") or {}
        if mobile_money.get("provider") not in PROVIDERS:
            return "Invalid mobile money provider"
        phone = str(mobile_money.get("phone", ""))
        if not (phone.isdigit() and len(phone) == 10 and phone.startswith("0")):
            return "Invalid phone number"
        return None

    def _verify(self, reference: str) -> Reply:
        transaction = self.transactions.get(reference)
        if transaction is None:
            return Reply(400, {"status": False, "message": "Transaction reference not found"})
        script = self.scripts.get(reference) or [("success", "Approved")]
        status, gateway_response = script[min(transaction.polls, len(script) - 1)]
        transaction.polls += 1
        transaction.statuses.append((status, gateway_response))
        data = {
            "id": transaction.id,
            "domain": "test",
            "status": status,
            "reference": reference,
            "amount": self.reported_amount or transaction.body["amount"],
            "currency": transaction.body["currency"],
            "channel": "mobile_money",
            "gateway_response": gateway_response,
            "customer": {"email": transaction.body["email"]},
        }
        return Reply(200, {"status": True, "message": "Verification successful", "data": data})
