"""A handset on any aggregator's line: it speaks that aggregator's wire format over HTTP.

`Handset` keeps the Phone interface of harness.py (dial, enter, resend, screen, ended, seen,
number, limit), so every shared step drives it; its `wire` turns each dial and answer into
the aggregator's request and checks the aggregator's answer: HTTP 200, well formed, its
fields echoed, within the gateway's limit, GSM-7 only.

- Africa's Talking: a form whose `text` holds every answer so far joined by `*`.
- Hubtel: JSON with `Type` (initiation, response, release, timeout) and `Sequence`; on
  initiation `Message` is the dialled string; after it, that screen's answer.
- Arkesel: JSON with `newSession` and `userData` (null on a plain dial).
- Nalo: JSON with `MSGTYPE` (true on the first hop) and `USERDATA` (the dialled string first).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar
from urllib.parse import urlencode

from lpg_ussd.adapters.phone import normalise_msisdn
from lpg_ussd.application.ussd.texts import is_gsm7
from tests.acceptance.harness import Harness

SERVICE_CODE = "*384*303#"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HUBTEL_DATA_TYPES = {"menu", "select", "display", "input", "confirm"}
HUBTEL_FIELD_TYPES = {"text", "phone", "email", "number", "decimal", "textarea"}


def suffix_of(dialled: str) -> str:
    """`*384*303*2#` -> `2`: the digits dialled beyond the service code."""
    base = SERVICE_CODE.rstrip("#")
    core = dialled.rstrip("#")
    return core[len(base) + 1 :] if core.startswith(base + "*") else ""


class Wire:
    """One aggregator's format: requests out, answers checked and read."""

    gateway = ""
    max_limit = 182
    content_type = JSON
    operators: ClassVar[dict[str, str]] = {}

    def __init__(self, handset: Handset) -> None:
        self.handset = handset

    @property
    def msisdn(self) -> str:
        return normalise_msisdn(self.handset.number).e164.lstrip("+")

    def operator(self) -> str | None:
        raw = self.handset.operator
        if raw is not None:
            return raw
        return self.operators.get(self.handset.network or "")

    def start(self, dialled: str) -> bytes:
        raise NotImplementedError

    def answer(self, text: str) -> bytes:
        raise NotImplementedError

    def read(self, body: bytes, content_type: str) -> tuple[str, bool]:
        """The screen and whether it ends the session; asserts the answer is well formed."""
        raise NotImplementedError

    @staticmethod
    def dumps(payload: dict[str, Any]) -> bytes:
        return json.dumps(payload).encode()

    @staticmethod
    def loads(body: bytes, content_type: str) -> dict[str, Any]:
        assert content_type.startswith(JSON), content_type
        answer = json.loads(body)
        assert isinstance(answer, dict), answer
        return answer


class AfricasTalkingWire(Wire):
    gateway = "africastalking"
    max_limit = 182
    content_type = FORM
    operators: ClassVar[dict[str, str]] = {
        "mtn": "62001",
        "telecel": "62002",
        "airteltigo": "62003",
    }

    def __init__(self, handset: Handset) -> None:
        super().__init__(handset)
        self.answers: list[str] = []

    def _form(self) -> bytes:
        form = {
            "sessionId": self.handset.session_id,
            "serviceCode": SERVICE_CODE,
            "phoneNumber": "+" + self.msisdn,
            "networkCode": self.operator() or "",
            "text": "*".join(self.answers),
        }
        return urlencode(form).encode()

    def start(self, dialled: str) -> bytes:
        # Africa's Talking passes the digits beyond the service code as the first `text`.
        suffix = suffix_of(dialled)
        self.answers = [suffix] if suffix else []
        return self._form()

    def answer(self, text: str) -> bytes:
        self.answers.append(text)
        return self._form()

    def read(self, body: bytes, content_type: str) -> tuple[str, bool]:
        assert content_type.startswith("text/plain"), content_type
        text = body.decode()
        assert text.startswith(("CON ", "END ")), f"not a USSD answer: {text!r}"
        return text[4:], text.startswith("END ")


class HubtelWire(Wire):
    gateway = "hubtel"
    max_limit = 182
    operators: ClassVar[dict[str, str]] = {
        "mtn": "mtn",
        "telecel": "vodafone",
        "airteltigo": "airteltigo",
    }

    def __init__(self, handset: Handset) -> None:
        super().__init__(handset)
        self.sequence = 0
        self.client_state = ""

    def _hop(self, kind: str, message: str) -> bytes:
        self.sequence += 1
        return self.dumps(
            {
                "SessionId": self.handset.session_id,
                "Mobile": self.msisdn,
                "ServiceCode": SERVICE_CODE,
                "Type": kind,
                "Message": message,
                "Operator": self.operator() or "",
                "ClientState": self.client_state,
                "Sequence": self.sequence,
                "Platform": "USSD",
            }
        )

    def start(self, dialled: str) -> bytes:
        self.sequence = 0
        self.client_state = ""
        return self._hop("Initiation", dialled)

    def answer(self, text: str) -> bytes:
        return self._hop("Response", text)

    def event(self, kind: str) -> bytes:
        return self._hop(kind, "")

    def read(self, body: bytes, content_type: str) -> tuple[str, bool]:
        answer = self.loads(body, content_type)
        assert answer["SessionId"] == self.handset.session_id, answer
        assert answer["Type"] in ("Response", "Release"), answer
        assert isinstance(answer["Message"], str), answer
        assert answer["DataType"] in HUBTEL_DATA_TYPES, answer
        assert answer["FieldType"] in HUBTEL_FIELD_TYPES, answer
        assert isinstance(answer["Label"], str) and answer["Label"], answer
        assert isinstance(answer["ClientState"], str), answer
        self.client_state = answer["ClientState"]
        return answer["Message"], answer["Type"] == "Release"


class ArkeselWire(Wire):
    gateway = "arkesel"
    max_limit = 160
    operators: ClassVar[dict[str, str]] = {
        "mtn": "MTN",
        "telecel": "VODAFONE",
        "airteltigo": "AIRTELTIGO",
    }
    user_id = "ARK-DEMO"

    def _hop(self, new: bool, data: str | None) -> bytes:
        return self.dumps(
            {
                "sessionID": self.handset.session_id,
                "userID": self.user_id,
                "newSession": new,
                "msisdn": self.msisdn,
                "userData": data,
                "network": self.operator() or "",
            }
        )

    def start(self, dialled: str) -> bytes:
        return self._hop(True, dialled if suffix_of(dialled) else None)

    def answer(self, text: str) -> bytes:
        return self._hop(False, text)

    def read(self, body: bytes, content_type: str) -> tuple[str, bool]:
        answer = self.loads(body, content_type)
        assert answer["sessionID"] == self.handset.session_id, answer
        assert answer["userID"] == self.user_id, answer
        assert answer["msisdn"] == self.msisdn, answer
        assert isinstance(answer["message"], str), answer
        assert isinstance(answer["continueSession"], bool), answer
        return answer["message"], not answer["continueSession"]


class NaloWire(Wire):
    gateway = "nalo"
    max_limit = 120
    operators: ClassVar[dict[str, str]] = {
        "mtn": "MTN",
        "telecel": "VODAFONE",
        "airteltigo": "AIRTELTIGO",
    }
    user_id = "NALO-DEMO"

    def _hop(self, first: bool, data: str) -> bytes:
        return self.dumps(
            {
                "USERID": self.user_id,
                "MSISDN": self.msisdn,
                "USERDATA": data,
                "MSGTYPE": first,
                "NETWORK": self.operator() or "",
                "SESSIONID": self.handset.session_id,
            }
        )

    def start(self, dialled: str) -> bytes:
        return self._hop(True, dialled)

    def answer(self, text: str) -> bytes:
        return self._hop(False, text)

    def read(self, body: bytes, content_type: str) -> tuple[str, bool]:
        answer = self.loads(body, content_type)
        assert answer["USERID"] == self.user_id, answer
        assert answer["MSISDN"] == self.msisdn, answer
        assert isinstance(answer["MSG"], str), answer
        assert isinstance(answer["MSGTYPE"], bool), answer
        return answer["MSG"], not answer["MSGTYPE"]  # in an answer, true means continue


WIRES: dict[str, type[Wire]] = {
    wire.gateway: wire for wire in (AfricasTalkingWire, HubtelWire, ArkeselWire, NaloWire)
}
GATEWAYS = list(WIRES)


class Handset:
    """A customer's phone on one aggregator's line (Africa's Talking until told otherwise)."""

    def __init__(
        self,
        harness: Harness,
        number: str,
        gateway: str = "africastalking",
        network: str | None = "mtn",
        limit: int = 160,
    ) -> None:
        self.harness = harness
        self.number = number
        self.limit = limit  # the line's setting; the gateway may allow fewer
        self.network = network
        self.operator: str | None = None  # the raw operator field, when a test sets one
        self.session_id = ""
        self.screen = ""
        self.ended = True
        self.status = 0
        self.seen: list[str] = []
        self.sent = b""
        self.wire: Wire = AfricasTalkingWire(self)
        self.use(gateway)

    def use(self, gateway: str) -> None:
        self.wire = WIRES[gateway](self)

    @property
    def gateway(self) -> str:
        return self.wire.gateway

    @property
    def screen_limit(self) -> int:
        return min(self.limit, self.wire.max_limit)

    @property
    def path(self) -> str:
        return f"/ussd/{self.gateway}/callback"

    def post(self, body: bytes) -> Any:
        headers = {"content-type": self.wire.content_type}
        return self.harness.run(self.harness.client.post(self.path, content=body, headers=headers))

    def _send(self, body: bytes) -> str:
        self.sent = body
        response = self.post(body)
        self.status = response.status_code
        assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
        screen, ended = self.wire.read(response.content, response.headers["content-type"])
        self.screen, self.ended = screen, ended
        self.seen.append(screen)
        assert len(screen) <= self.screen_limit, f"{len(screen)} characters:\n{screen}"
        assert is_gsm7(screen), f"not GSM-7: {screen!r}"
        return screen

    def dial(self, dialled: str = SERVICE_CODE) -> str:
        self.session_id = f"{self.gateway}-{uuid.uuid4().hex}"
        return self._send(self.wire.start(dialled))

    def enter(self, answer: str) -> str:
        assert not self.ended, f"the session had ended with: {self.screen}"
        return self._send(self.wire.answer(answer))

    def resend(self) -> str:
        return self._send(self.sent)

    def gateway_ends(self, kind: str) -> str:
        """Hubtel tells the line the session is over: `release` or `timeout`."""
        assert isinstance(self.wire, HubtelWire), "only Hubtel reports the end of a session"
        screen = self._send(self.wire.event(kind))
        self.ended = True
        return screen
