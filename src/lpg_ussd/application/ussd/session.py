"""The session record: all the dialogue keeps between hops, as one small msgspec struct."""

from __future__ import annotations

from typing import Any

import msgspec


class CustomerCard(msgspec.Struct, frozen=True):
    """What the dialogue needs of a registered customer, read once per session."""

    id: int
    first_name: str
    status: str
    language: str = "en"


class CheckoutItem(msgspec.Struct, frozen=True):
    """What a session's closing answer asks the aggregator's own checkout to collect (Hubtel's
    `Item`): a name shown to the customer, a quantity, the price, and our payment reference."""

    name: str
    quantity: int
    price_pesewas: int
    reference: str


class ResumePoint(msgspec.Struct):
    """Where a dropped session stood, offered back on the next dial."""

    path: list[str]
    data: dict[str, Any]


class SessionRecord(msgspec.Struct, kw_only=True):
    session_id: str
    msisdn: str
    gateway: str
    path: list[str] = msgspec.field(default_factory=list)
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    page: int = 0
    strikes: int = 0
    choices: list[list[str]] = msgspec.field(default_factory=list)  # [key, value] shown now
    pages: list[str] = msgspec.field(default_factory=list)  # when a screen needs paging
    ending: bool = False  # the pages are a closing text: its last page ends the session
    network: str | None = None  # mtn, telecel or airteltigo, when the gateway says
    language: str = ""  # the customer's, or chosen on the welcome screen; empty: the default
    customer: CustomerCard | None = None
    resume: ResumePoint | None = None
    last_raw: str = ""
    last_hop_key: str | None = None
    last_sequence: int | None = None
    last_reply: str = ""
    last_end: bool = False
    last_kind: str = "display"
    # The checkout a closing text hands over: held while that text is paged, and kept with the
    # last answer so a repeated hop hands over the same one.
    checkout: CheckoutItem | None = None
    last_checkout: CheckoutItem | None = None
    updated_at: float = 0.0

    @property
    def screen(self) -> str:
        return self.path[-1]

    @property
    def ended(self) -> bool:
        return self.last_end


def encode(record: SessionRecord) -> bytes:
    return msgspec.msgpack.encode(record)


_decoder = msgspec.msgpack.Decoder(SessionRecord)


def decode(raw: bytes) -> SessionRecord:
    return _decoder.decode(raw)
