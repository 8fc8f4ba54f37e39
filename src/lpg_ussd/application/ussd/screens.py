"""What a screen is, what handling an answer can lead to, and what a screen sees of a hop.

A journey declares screens; the engine owns back (`0`), home (`00`), paging (`98`),
re-prompts, strikes, resume and replay, so no journey re-implements them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lpg_ussd.application.brand import Brand
from lpg_ussd.application.ussd.session import CheckoutItem, CustomerCard, SessionRecord
from lpg_ussd.application.ussd.texts import Languages, Texts

if TYPE_CHECKING:
    from lpg_ussd.application.ussd.services import Services


@dataclass(frozen=True, slots=True)
class Choice:
    """One numbered line of a menu: the customer types `key`; the screen gets `value`."""

    key: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class View:
    """What a screen shows: a text, then numbered choices (paged by the engine)."""

    text: str
    choices: tuple[Choice, ...] = ()


# Outcomes of handling an answer.
@dataclass(frozen=True, slots=True)
class Go:
    """Move to `screen`, keeping `data`.

    `reset` makes it the first screen after the root; `rewind` returns to it where it is
    already on the path (as if the customer had gone back to it).
    """

    screen: str
    data: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    reset: bool = False
    rewind: bool = False


@dataclass(frozen=True, slots=True)
class Retry:
    """Show the same screen again with a one-line reason; `strike` counts towards three."""

    reason: str
    strike: bool = True


@dataclass(frozen=True, slots=True)
class End:
    """End the session with `text`; `checkout` hands the customer to the aggregator's own
    checkout to pay (only where the hop said the gateway offers one)."""

    text: str
    checkout: CheckoutItem | None = None


@dataclass(frozen=True, slots=True)
class Home:
    reason: str | None = None


Outcome = Go | Retry | End | Home


@dataclass(slots=True)
class HopContext:
    """What a screen sees of the hop: the record, the customer, the words and the services."""

    record: SessionRecord
    texts: Texts
    brand: Brand
    services: Services
    now: datetime
    network: str | None = None
    languages: Languages | None = None
    # The payment provider of the gateway's own checkout, when it offers one on this hop.
    checkout: str | None = None

    @property
    def data(self) -> dict[str, Any]:
        return self.record.data

    @property
    def customer(self) -> CustomerCard:
        if self.record.customer is None:
            raise LookupError("this screen needs a registered customer")
        return self.record.customer

    @property
    def msisdn(self) -> str:
        return self.record.msisdn

    def t(self, key: str, /, **values: Any) -> str:
        return self.texts(key, **values)


Show = Callable[[HopContext], Awaitable[View | End]]
Answer = Callable[[HopContext, str], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Screen:
    """A named screen: `show` renders it, `answer` handles the input.

    With `choices` in its view, the engine maps the typed number to the choice's value
    before `answer` sees it, and re-prompts on anything else. `sensitive` screens (PIN,
    payment confirmation) are never resumed into. `journey` names the part of the line.
    """

    name: str
    show: Show
    answer: Answer
    journey: str
    sensitive: bool = False
    free_input: bool = False  # a prompt: the raw text goes to `answer`


class ScreenRegistry:
    def __init__(self) -> None:
        self._screens: dict[str, Screen] = {}

    def add(self, screen: Screen) -> Screen:
        if screen.name in self._screens:
            raise ValueError(f"screen {screen.name} declared twice")
        self._screens[screen.name] = screen
        return screen

    def __getitem__(self, name: str) -> Screen:
        return self._screens[name]

    def __contains__(self, name: object) -> bool:
        return name in self._screens

    def all(self) -> list[Screen]:
        return list(self._screens.values())

    def menu(
        self, name: str, journey: str, show: Show, answer: Answer, sensitive: bool = False
    ) -> Screen:
        return self.add(Screen(name, show, answer, journey, sensitive=sensitive))

    def prompt(
        self, name: str, journey: str, show: Show, answer: Answer, sensitive: bool = False
    ) -> Screen:
        return self.add(Screen(name, show, answer, journey, sensitive=sensitive, free_input=True))


def text_view(text: str) -> Show:
    async def show(ctx: HopContext) -> View:
        return View(ctx.t(text))

    return show
