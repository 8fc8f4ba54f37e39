"""Each aggregator's request as fields to mangle, and its answer read back strictly.

`Wire.fields` is a well-formed hop; the tests replace, drop or add fields and send it.
`Wire.read` insists on what the aggregator needs of any 200: its format, an answer that
either continues or ends the session, a screen within the gateway's limit in GSM-7, and never
the line's apology for an exception it swallowed.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import urlencode

from hypothesis import strategies as st

from lpg_ussd.application.ussd.texts import is_gsm7, load_texts

TEXTS = load_texts("en")
APOLOGY = TEXTS("common.error")
SCREEN_LIMIT = 160  # the line's setting in these tests; Nalo allows fewer
SERVICE_CODE = "*384*303#"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HUBTEL_TYPES = ["initiation", "Initiation", "response", "Response", "release", "timeout"]
HUBTEL_TYPES += ["favorite", "INITIATION", "RESPONSE", "Release", "Timeout"]
HUBTEL_DATA_TYPES = {"menu", "select", "display", "input", "confirm"}
HUBTEL_FIELD_TYPES = {"text", "phone", "email", "number", "decimal", "textarea"}
NETWORKS = ["MTN", "mtn", "VODAFONE", "vodafone", "AIRTELTIGO", "tigo", "telecel", "glo", ""]
DIALLED = [SERVICE_CODE, "*384*303*1#", "*384*303*2#", "*384*303*9*9#", "*999#", "", "*", "#"]


def phone_forms(e164: str) -> list[str]:
    """The number as aggregators write it: `233...`, `+233...`, `0...`."""
    national = "0" + e164[4:]
    return [e164.lstrip("+"), e164, national]


class Wire:
    gateway: ClassVar[str]
    content_type: ClassVar[str] = JSON
    limit: ClassVar[int] = SCREEN_LIMIT
    # Plausible values of the fields the tests do not fill from the example's ids.
    plausible: ClassVar[dict[str, st.SearchStrategy[Any]]]
    # Fields echoed as they came (missing ones as "").
    echo: ClassVar[tuple[str, ...]] = ()
    # Other fields a handset shows, in GSM-7 too (Hubtel's `Label`).
    shown: ClassVar[tuple[str, ...]] = ()

    @property
    def path(self) -> str:
        return f"/ussd/{self.gateway}/callback"

    @property
    def paths(self) -> list[str]:
        """Every URL its hops may arrive on (Africa's Talking keeps an older one too)."""
        return [self.path, "/ussd/callback"] if self.gateway == "africastalking" else [self.path]

    def fields(self, session_id: str, phone: str, first: bool, text: str) -> dict[str, Any]:
        raise NotImplementedError

    def body(self, fields: dict[str, Any]) -> bytes:
        return json.dumps(fields).encode()

    def answer_of(self, content: bytes, content_type: str) -> tuple[str, bool, dict[str, Any]]:
        """(screen, ended, the answer's fields), asserting the gateway's answer format."""
        raise NotImplementedError

    def read(self, response: Any, sent: dict[str, Any] | None = None) -> tuple[str, bool]:
        assert response.status_code == 200, f"HTTP {response.status_code}: {response.text!r}"
        screen, ended, answer = self.answer_of(response.content, response.headers["content-type"])
        assert len(screen) <= self.limit, f"{len(screen)} characters:\n{screen}"
        assert is_gsm7(screen), f"not GSM-7: {screen!r}"
        assert screen != APOLOGY, "the hop failed inside the line (see the log)"
        for name in self.shown:
            assert is_gsm7(answer[name]), f"not GSM-7: {name} {answer[name]!r}"
        if sent is not None:
            for name in self.echo:
                value = sent.get(name)
                if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
                    assert answer[name] == ("" if value is None else value), (name, answer)
        return screen, ended

    @staticmethod
    def json_answer(content: bytes, content_type: str) -> dict[str, Any]:
        assert content_type.startswith(JSON), content_type
        answer = json.loads(content)
        assert isinstance(answer, dict), answer
        return answer


class AfricasTalking(Wire):
    gateway = "africastalking"
    content_type = FORM
    plausible: ClassVar[dict[str, st.SearchStrategy[Any]]] = {
        "serviceCode": st.sampled_from(DIALLED),
        "networkCode": st.sampled_from(["62001", "62002", "62003", "62006", "63902", "", "x"]),
    }

    def fields(self, session_id: str, phone: str, first: bool, text: str) -> dict[str, Any]:
        return {
            "sessionId": session_id,
            "serviceCode": SERVICE_CODE,
            "phoneNumber": phone,
            "networkCode": "62001",
            "text": "" if first else text,
        }

    def body(self, fields: dict[str, Any]) -> bytes:
        # A form carries text only: whatever a field holds is sent as its JSON or str form.
        def text(value: Any) -> str:
            return value if isinstance(value, str) else json.dumps(value)

        return urlencode({name: text(value) for name, value in fields.items()}).encode()

    def answer_of(self, content: bytes, content_type: str) -> tuple[str, bool, dict[str, Any]]:
        assert content_type.startswith("text/plain"), content_type
        text = content.decode("utf-8")
        assert text.startswith(("CON ", "END ")), f"neither continue nor end: {text!r}"
        return text[4:], text.startswith("END "), {}


class Hubtel(Wire):
    gateway = "hubtel"
    echo = ("SessionId",)
    shown = ("Label",)
    plausible: ClassVar[dict[str, st.SearchStrategy[Any]]] = {
        "Type": st.sampled_from(HUBTEL_TYPES),
        "ServiceCode": st.sampled_from(DIALLED),
        "Operator": st.sampled_from(NETWORKS),
        "Sequence": st.integers(-3, 30) | st.integers(-3, 30).map(str),
        "ClientState": st.sampled_from(["", "main", "welcome", "reg_pin"]),
        "Platform": st.sampled_from(["USSD", "ussd", "Web", "App", ""]),
    }

    def fields(self, session_id: str, phone: str, first: bool, text: str) -> dict[str, Any]:
        return {
            "SessionId": session_id,
            "Mobile": phone.lstrip("+"),
            "ServiceCode": SERVICE_CODE,
            "Type": "Initiation" if first else "Response",
            "Message": SERVICE_CODE if first else text,
            "Operator": "mtn",
            "ClientState": "",
            "Sequence": 1 if first else 2,
            "Platform": "USSD",
        }

    def answer_of(self, content: bytes, content_type: str) -> tuple[str, bool, dict[str, Any]]:
        answer = self.json_answer(content, content_type)
        assert answer["Type"] in ("Response", "Release"), f"neither continue nor end: {answer}"
        assert isinstance(answer["Message"], str), answer
        assert isinstance(answer["Label"], str), answer
        assert answer["DataType"] in HUBTEL_DATA_TYPES, answer
        assert answer["FieldType"] in HUBTEL_FIELD_TYPES, answer
        assert isinstance(answer["ClientState"], str), answer
        return answer["Message"], answer["Type"] == "Release", answer


class Arkesel(Wire):
    gateway = "arkesel"
    echo = ("sessionID", "userID", "msisdn")
    plausible: ClassVar[dict[str, st.SearchStrategy[Any]]] = {
        "userID": st.sampled_from(["ARK-DEMO", "", "u1"]) | st.integers(0, 10**6),
        "newSession": st.sampled_from([True, False, "true", "false", 1, 0, "TRUE", "yes", "?"]),
        "network": st.sampled_from(NETWORKS),
    }

    def fields(self, session_id: str, phone: str, first: bool, text: str) -> dict[str, Any]:
        return {
            "sessionID": session_id,
            "userID": "ARK-DEMO",
            "newSession": first,
            "msisdn": phone.lstrip("+"),
            "userData": None if first else text,
            "network": "MTN",
        }

    def answer_of(self, content: bytes, content_type: str) -> tuple[str, bool, dict[str, Any]]:
        answer = self.json_answer(content, content_type)
        assert isinstance(answer["message"], str), answer
        assert isinstance(answer["continueSession"], bool), f"neither continue nor end: {answer}"
        assert {"sessionID", "userID", "msisdn"} <= answer.keys(), answer
        return answer["message"], not answer["continueSession"], answer


class Nalo(Wire):
    gateway = "nalo"
    limit = 120
    echo = ("USERID", "MSISDN")
    plausible: ClassVar[dict[str, st.SearchStrategy[Any]]] = {
        "USERID": st.sampled_from(["NALO-DEMO", "", "n1"]) | st.integers(0, 10**6),
        "MSGTYPE": st.sampled_from([True, False, "true", "false", 1, 0, "TRUE", "no", "?"]),
        "NETWORK": st.sampled_from(NETWORKS),
    }

    def fields(self, session_id: str, phone: str, first: bool, text: str) -> dict[str, Any]:
        return {
            "USERID": "NALO-DEMO",
            "MSISDN": phone.lstrip("+"),
            "USERDATA": SERVICE_CODE if first else text,
            "MSGTYPE": first,
            "NETWORK": "MTN",
            "SESSIONID": session_id,
        }

    def answer_of(self, content: bytes, content_type: str) -> tuple[str, bool, dict[str, Any]]:
        answer = self.json_answer(content, content_type)
        assert isinstance(answer["MSG"], str), answer
        # In an answer `MSGTYPE` true continues the session, false ends it.
        assert isinstance(answer["MSGTYPE"], bool), f"neither continue nor end: {answer}"
        assert {"USERID", "MSISDN"} <= answer.keys(), answer
        return answer["MSG"], not answer["MSGTYPE"], answer


WIRES: dict[str, Wire] = {w.gateway: w for w in (AfricasTalking(), Hubtel(), Arkesel(), Nalo())}
GATEWAYS = list(WIRES)
