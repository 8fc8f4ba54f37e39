"""Fake SMS providers that keep the documented wire contract (../shared/gateways.md and the
providers' own documentation): they check credentials and fields as the real ones do, refuse
what the real ones refuse, and remember what they accepted to deliver, in `delivered`.

Where the real provider's answer is not documented (marked [?]), the fake answers in the
provider's usual shape, and the adapter under test must cope with it either way.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field

from tests.contract.sms.server import Recorded, Reply

AT_STATUS = {
    100: "Processed",
    101: "Success",
    102: "Queued",
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}


@dataclass(frozen=True, slots=True)
class Delivered:
    to: str  # as the provider received it
    text: str
    sender: str | None


@dataclass
class FakeAfricasTalking:
    """`POST /version1/messaging`, form `username`, `to`, `message`, optional `from`."""

    username: str = "lpgline"
    api_key: str = "at-key-0123456789"
    sender_ids: frozenset[str] = frozenset({"DemoGas"})
    credit: int | None = None  # messages the account can still pay for; None: no limit
    refuse: dict[str, int] = field(default_factory=dict)  # number -> recipient statusCode
    success_code: int = 101
    delivered: list[Delivered] = field(default_factory=list)

    def answer(self, request: Recorded) -> Reply:
        if request.path != "/version1/messaging":
            return Reply.of_text(404, "Not Found")
        if request.method != "POST":
            return Reply.of_text(405, "Method Not Allowed")
        if request.headers.get("apikey") != self.api_key:
            return Reply.of_text(401, "The supplied authentication is invalid")
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return Reply.of_text(415, "Unsupported Media Type")
        form = {name: values[-1] for name, values in request.form().items()}
        if form.get("username") != self.username:
            return Reply.of_text(401, "The supplied authentication is invalid")
        for required in ("to", "message"):
            if not form.get(required):
                return Reply.of_text(400, f"Request is missing required form field '{required}'")
        sender = form.get("from")
        if sender is not None and sender not in self.sender_ids:
            return self._reply("InvalidSenderId", [])
        numbers = form["to"].split(",")
        recipients = [self._one(number.strip(), form["message"], sender) for number in numbers]
        taken = sum(1 for r in recipients if r["statusCode"] in (100, 101, 102))
        return self._reply(f"Sent to {taken}/{len(recipients)} Total Cost: GHS 0.0300", recipients)

    def _one(self, number: str, text: str, sender: str | None) -> dict[str, object]:
        if not number.startswith("+") or not number[1:].isdigit():
            code = 403
        elif number in self.refuse:
            code = self.refuse[number]
        elif self.credit is not None and self.credit <= 0:
            code = 405
        else:
            code = self.success_code
        taken = code in (100, 101, 102)
        if taken:
            self.delivered.append(Delivered(number, text, sender))
            if self.credit is not None:
                self.credit -= 1
        return {
            "statusCode": code,
            "number": number,
            "status": AT_STATUS.get(code, "Failed"),
            "cost": "GHS 0.0300" if taken else "0",
            "messageId": f"ATXid_{uuid.uuid4().hex}" if taken else "None",
        }

    @staticmethod
    def _reply(message: str, recipients: list[dict[str, object]]) -> Reply:
        body = {"SMSMessageData": {"Message": message, "Recipients": recipients}}
        return Reply.of_json(201, body)


@dataclass
class FakeHubtel:
    """`POST /v1/messages/send`, Basic auth (client id and secret), JSON `From`, `To`, `Content`."""

    client_id: str = "hubtel-client"
    client_secret: str = "hubtel-secret-0123"
    credit: int | None = None
    refuse: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # to -> HTTP, status
    delivered: list[Delivered] = field(default_factory=list)

    def answer(self, request: Recorded) -> Reply:
        if request.path != "/v1/messages/send":
            return Reply.of_json(404, {"message": "Not Found"})
        if request.method != "POST":
            return Reply.of_json(405, {"message": "Method Not Allowed"})
        if request.headers.get("authorization") != self._basic():
            return Reply.of_json(401, {"message": "Authorization has been denied"})  # [?]
        try:
            body = request.json()
        except json.JSONDecodeError:
            return self._status(400, 100, "invalid request")
        sender, to, content = body.get("From"), body.get("To"), body.get("Content")
        if not isinstance(content, str) or not content:
            return self._status(400, 6, "invalid content")
        if not isinstance(sender, str) or not 0 < len(sender) <= 11:
            return self._status(400, 2, "invalid source address")
        if not isinstance(to, str) or not (to.startswith("233") and to.isdigit() and len(to) == 12):
            return self._status(400, 1, "invalid destination address")
        if to in self.refuse:
            return self._status(*self.refuse[to])
        if self.credit is not None and self.credit <= 0:
            return self._status(402, 12, "insufficient credit")  # [?] the body of a 402
        self.delivered.append(Delivered(to, content, sender))
        if self.credit is not None:
            self.credit -= 1
        return Reply.of_json(
            201,
            {
                "rate": 0.0309,
                "messageId": str(uuid.uuid4()),
                "status": 0,
                "networkId": "62001",
                "clientReference": None,
                "statusDescription": "request submitted successfully",
            },
        )

    def _basic(self) -> str:
        pair = f"{self.client_id}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    @staticmethod
    def _status(http_status: int, status: int, description: str) -> Reply:
        return Reply.of_json(http_status, {"status": status, "statusDescription": description})


@dataclass
class FakeArkesel:
    """`POST /api/v2/sms/send`, header `api-key`, JSON `sender`, `message`, `recipients`."""

    api_key: str = "arkesel-key-0123"
    sender_ids: frozenset[str] = frozenset({"DemoGas"})
    credit: int | None = None
    refuse: frozenset[str] = frozenset()  # numbers it calls invalid
    delivered: list[Delivered] = field(default_factory=list)

    def answer(self, request: Recorded) -> Reply:
        if request.path != "/api/v2/sms/send":
            return Reply.of_json(404, {"status": "error", "message": "Not Found"})
        if request.method != "POST":
            return Reply.of_json(405, {"status": "error", "message": "Method Not Allowed"})
        if request.headers.get("api-key") != self.api_key:
            return self._error(401, "Invalid API key")  # [?] the exact words
        try:
            body = request.json()
        except json.JSONDecodeError:
            return self._error(422, "The given data was invalid.")
        sender, message, recipients = (
            body.get("sender"),
            body.get("message"),
            body.get("recipients"),
        )
        if not isinstance(message, str) or not message:
            return self._error(422, "The message field is required.")
        if sender not in self.sender_ids:
            return self._error(422, "Invalid Sender ID")  # [?]
        if not isinstance(recipients, list) or not recipients:
            return self._error(422, "The recipients field is required.")
        for number in recipients:
            ghanaian = isinstance(number, str) and number.isdigit() and number.startswith("233")
            if not ghanaian or number in self.refuse:
                return self._error(422, "Invalid phone number")  # [?]
        if self.credit is not None and self.credit < len(recipients):
            return self._error(402, "Insufficient balance")  # [?]
        data = []
        for number in recipients:
            self.delivered.append(Delivered(number, message, sender))
            data.append({"recipient": number, "id": str(uuid.uuid4())})
        if self.credit is not None:
            self.credit -= len(recipients)
        return Reply.of_json(200, {"status": "success", "data": data})

    @staticmethod
    def _error(http_status: int, message: str) -> Reply:
        return Reply.of_json(http_status, {"status": "error", "message": message})
