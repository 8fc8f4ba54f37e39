"""The CPU a hop costs inside the app, without HTTP, sockets or the load generator: the
deposit journey played through the ASGI app in this process, on PostgreSQL and Redis.

    python -m bench.cpu [--journeys 640] [--rounds 7] [--concurrency 32]

Prints the CPU milliseconds a hop takes at the given concurrency (the least and the median
over the rounds: the least is the steadiest figure on a shared machine), then, one handset at
a time, what each step of the journey costs. Two versions of the code compare best run one
after the other, or side by side with PYTHONPATH pointing at the other checkout's `src`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlencode

from bench.loadgen import DEPOSIT, hop_form
from bench.run import FIRST_PHONE, clear_prefix, line_settings, seeded_database

PATH = "/ussd/africastalking/callback"
Message = MutableMapping[str, Any]
App = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


async def post(app: App, body: bytes) -> int:
    """One hop through the app as uvicorn would hand it over; the status answered."""
    sent: list[Message] = []
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:  # the app only asks again to see a disconnect
            await asyncio.Event().wait()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    return int(sent[0]["status"])


class Journeys:
    def __init__(self, app: App, customers: int) -> None:
        self.app = app
        self.customers = customers
        self.steps: dict[str, float] = {}

    async def handset(self, index: int, journeys: int, timed: bool) -> None:
        phone = f"+{FIRST_PHONE + index % self.customers}"
        for _ in range(journeys):
            session = uuid.uuid4().hex
            for text in DEPOSIT:
                started = time.process_time()
                status = await post(self.app, urlencode(hop_form(session, phone, text)).encode())
                if timed:
                    self.steps[text] = self.steps.get(text, 0.0) + time.process_time() - started
                if status != 200:
                    raise RuntimeError(f"hop {text!r} answered {status}")

    async def round(self, journeys: int, concurrency: int, timed: bool = False) -> float:
        """CPU ms a hop over `journeys` journeys played by `concurrency` handsets."""
        each = max(journeys // concurrency, 1)
        started = time.process_time()
        await asyncio.gather(*(self.handset(i, each, timed) for i in range(concurrency)))
        return 1000 * (time.process_time() - started) / (each * concurrency * len(DEPOSIT))


async def lifespan(app: Any, event: str) -> None:
    queue: asyncio.Queue[Message] = asyncio.Queue()
    answers: asyncio.Queue[Message] = asyncio.Queue()
    await queue.put({"type": f"lifespan.{event}"})
    task = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, queue.get, answers.put)
    )
    answer = await answers.get()
    if not answer["type"].endswith(".complete"):
        raise RuntimeError(f"lifespan {event}: {answer}")
    if event == "shutdown":
        task.cancel()  # done with its work; it would wait for another event


async def measure(args: argparse.Namespace) -> None:
    from lpg_ussd.entrypoints.http.app import create_app_from_env

    app = create_app_from_env()
    await lifespan(app, "startup")
    try:
        journeys = Journeys(app, args.customers)
        await journeys.round(args.journeys, args.concurrency)  # warm-up
        figures = [
            await journeys.round(args.journeys, args.concurrency) for _ in range(args.rounds)
        ]
        print(
            f"{args.concurrency} handsets, {args.rounds} rounds of {args.journeys} journeys: "
            f"CPU ms/hop least {min(figures):.3f}, median {statistics.median(figures):.3f}",
            flush=True,
        )
        one_at_a_time = max(args.journeys // 8, 1)
        await journeys.round(one_at_a_time, 1, timed=True)
        print(f"one handset, {one_at_a_time} journeys, CPU ms per step:")
        for text, seconds in journeys.steps.items():
            print(f"  {text or '(dial)':<12} {1000 * seconds / one_at_a_time:.3f}")
    finally:
        await lifespan(app, "shutdown")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journeys", type=int, default=640)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args()

    prefix = f"lpg-bench-cpu-{secrets.token_hex(4)}"
    with seeded_database(args.customers) as database_url:
        # The outbox is not this figure's business: no worker runs.
        os.environ.update(line_settings(database_url, prefix, run_worker=False, log_level="ERROR"))
        try:
            import uvloop

            uvloop.run(measure(args))
        finally:
            clear_prefix(prefix)


if __name__ == "__main__":
    main()
