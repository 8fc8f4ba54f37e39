"""A fake of MTN MoMo's collection API, following ../shared/gateways.md.

Token: `POST /collection/token/` with Basic auth and the subscription key. Request to pay:
`POST /collection/v1_0/requesttopay` with a Bearer token, a UUID `X-Reference-Id` (409 when
reused), `X-Target-Environment`, the amount as a string. Status:
`GET /collection/v1_0/requesttopay/{id}`, scripted per payer number with `will`.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.contract.payments.server import FakeProvider, Reply, Request

TOKEN = "/collection/token/"
REQUEST_TO_PAY = "/collection/v1_0/requesttopay"
AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


@dataclass
class Transaction:
    reference_id: str
    body: dict[str, Any]
    headers: dict[str, str]
    polls: int = 0
    outcomes: list[tuple[str, Any]] = field(default_factory=list)


class FakeMtnMomo(FakeProvider):
    def __init__(
        self,
        api_user: str = "0b5c5a86-4b0e-4c6a-8d0b-6a8a9c6a2f11",
        api_key: str = "fake-api-key",
        subscription_key: str = "fake-subscription-key",
        environment: str = "sandbox",
        currency: str = "EUR",
    ) -> None:
        self.api_user = api_user
        self.api_key = api_key
        self.subscription_key = subscription_key
        self.environment = environment
        self.currency = currency
        super().__init__()
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.token_lifetime = 3600
        self.valid_tokens: set[str] = set()
        self.transactions: dict[str, Transaction] = {}
        self.scripts: dict[str, list[tuple[str, Any]]] = {}
        self.reported_amount: str | None = None  # to report another amount than requested
        self._serial = itertools.count(1)

    # -- what tests ask of it ---------------------------------------------------------

    def will(self, party_id: str, *outcomes: str | tuple[str, Any]) -> None:
        """Status answers for this payer, one per query, the last repeated:
        `"PENDING"`, `"SUCCESSFUL"`, `("FAILED", "APPROVAL_REJECTED")`."""
        self.scripts[party_id] = [o if isinstance(o, tuple) else (o, None) for o in outcomes]

    def revoke_tokens(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def callback_body(self, reference_id: str) -> bytes:
        """What MTN would PUT to the callback URL: the status, with the referenceId."""
        transaction = self.transactions[reference_id]
        status, reason = (transaction.outcomes or self._script(transaction))[-1]
        return json.dumps(
            {"referenceId": reference_id, **self._status_body(transaction, status, reason)}
        ).encode()

    # -- the API ------------------------------------------------------------------------

    def route(self, request: Request) -> str:
        if request.method == "POST" and request.path == TOKEN:
            return "token"
        if request.method == "POST" and request.path == REQUEST_TO_PAY:
            return "request"
        if request.method == "GET" and request.path.startswith(REQUEST_TO_PAY + "/"):
            return "status"
        return "other"

    def handle(self, request: Request) -> Reply:
        if request.headers.get("ocp-apim-subscription-key") != self.subscription_key:
            return Reply(401, {"statusCode": 401, "message": "Access denied: subscription key"})
        kind = self.route(request)
        if kind == "token":
            return self._token(request)
        if kind == "other":
            return Reply(404, {"code": "RESOURCE_NOT_FOUND", "message": "no such resource"})
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in (
            self.valid_tokens
        ):
            return Reply(401, {"code": "INVALID_TOKEN", "message": "Access token invalid"})
        if request.headers.get("x-target-environment") != self.environment:
            return Reply(400, {"code": "NOT_ALLOWED_TARGET_ENVIRONMENT", "message": "wrong env"})
        if kind == "request":
            return self._request_to_pay(request)
        return self._status(request.path.rsplit("/", 1)[1])

    def _token(self, request: Request) -> Reply:
        expected = base64.b64encode(f"{self.api_user}:{self.api_key}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, {"error": "login_failed"})
        token = f"token-{next(self._serial)}"
        self.valid_tokens.add(token)
        body = {"access_token": token, "token_type": "access_token"}
        return Reply(200, {**body, "expires_in": self.token_lifetime})

    def _request_to_pay(self, request: Request) -> Reply:
        reference_id = request.headers.get("x-reference-id", "")
        try:
            uuid.UUID(reference_id)
        except ValueError:
            return Reply(400, {"code": "INVALID_REFERENCE_ID", "message": "not a UUID"})
        if reference_id in self.transactions:
            return Reply(409, {"code": "RESOURCE_ALREADY_EXIST", "message": "Duplicated id"})
        body = request.json()
        problem = self._invalid(body)
        if problem is not None:
            return Reply(400, {"code": problem, "message": problem})
        self.transactions[reference_id] = Transaction(reference_id, body, request.headers)
        return Reply(202)

    def _invalid(self, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "INVALID_BODY"
        if not isinstance(body.get("amount"), str) or not AMOUNT.match(body["amount"]):
            return "INVALID_AMOUNT"
        if body.get("currency") != self.currency:
            return "INVALID_CURRENCY"
        payer = body.get("payer") or {}
        if payer.get("partyIdType") != "MSISDN" or not str(payer.get("partyId", "")).isdigit():
            return "PAYER_NOT_FOUND"
        if not all(
            isinstance(body.get(k), str) for k in ("externalId", "payerMessage", "payeeNote")
        ):
            return "INVALID_BODY"
        return None

    def _status(self, reference_id: str) -> Reply:
        transaction = self.transactions.get(reference_id)
        if transaction is None:
            return Reply(
                404, {"code": "RESOURCE_NOT_FOUND", "message": "Requested resource not found."}
            )
        script = self._script(transaction)
        outcome = script[min(transaction.polls, len(script) - 1)]
        transaction.polls += 1
        transaction.outcomes.append(outcome)
        return Reply(200, self._status_body(transaction, *outcome))

    def _script(self, transaction: Transaction) -> list[tuple[str, Any]]:
        party = transaction.body["payer"]["partyId"]
        return self.scripts.get(party) or [("SUCCESSFUL", None)]

    def _status_body(self, transaction: Transaction, status: str, reason: Any) -> dict[str, Any]:
        body = transaction.body
        answer: dict[str, Any] = {
            "amount": self.reported_amount or body["amount"],
            "currency": body["currency"],
            "externalId": body["externalId"],
            "payer": body["payer"],
            "payerMessage": body["payerMessage"],
            "payeeNote": body["payeeNote"],
            "status": status,
        }
        if status == "SUCCESSFUL":
            answer["financialTransactionId"] = str(uuid.UUID(transaction.reference_id).int % 10**9)
        if reason is not None:
            answer["reason"] = reason
        return answer
