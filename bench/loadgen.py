"""Plays whole USSD journeys as many concurrent handsets would, and reports what it saw.

Each handset waits for its answer before its next hop, speaks the Africa's Talking format
over a kept-alive HTTP/1.1 connection, and dials again when a journey ends. Requests are
written by hand on asyncio streams so that the generator costs the machine little.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

# The cylinder-deposit journey of a verified customer, paid on delivery:
# main menu, Make deposit, Cylinder deposit, 6kg steel, Confirm, Pay on delivery.
DEPOSIT = ["", "1", "1*1", "1*1*2", "1*1*2*1", "1*1*2*1*5"]


def hop_form(session: str, phone: str, text: str) -> dict[str, str]:
    """One hop as Africa's Talking posts it, from an MTN Ghana handset."""
    return {
        "sessionId": session,
        "serviceCode": "*384*303#",
        "phoneNumber": phone,
        "networkCode": "62001",
        "text": text,
    }


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    answered: int = 0  # every hop answered, warm-up included (for the server's CPU per hop)
    journeys: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)


class Connection:
    """One kept-alive HTTP/1.1 connection speaking just enough of the protocol."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_form(self, form: dict[str, str]) -> tuple[int, str]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        body = urlencode(form).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        payload = await self.reader.readexactly(length) if length else b""
        return status, payload.decode("utf-8", "replace")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def handset(
    url: str, phone: str, hops: list[str], deadline: float, results: Results, warmup_until: float
) -> None:
    parts = urlsplit(url)
    conn = Connection(parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/")
    try:
        while time.perf_counter() < deadline:
            session = uuid.uuid4().hex
            for index, text in enumerate(hops):
                started = time.perf_counter()
                try:
                    status, answer = await conn.post_form(hop_form(session, phone, text))
                except (OSError, ConnectionError, asyncio.IncompleteReadError) as error:
                    results.error(f"{type(error).__name__}: {error}")
                    await conn.close()
                    break
                elapsed = time.perf_counter() - started
                results.answered += 1
                last = index == len(hops) - 1
                expected = "END " if last and len(hops) > 1 else "CON "
                if status != 200 or not answer.startswith(("CON ", "END ")):
                    results.error(f"HTTP {status}: {answer[:80]}")
                    break
                if len(hops) > 1 and not answer.startswith(expected):
                    results.error(f"unexpected at hop {index}: {answer[:80]}")
                    break
                if started >= warmup_until:
                    results.latencies.append(elapsed)
            else:
                if time.perf_counter() >= warmup_until:
                    results.journeys += 1
    finally:
        await conn.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


async def run(
    url: str, phones: list[str], concurrency: int, duration: float, warmup: float, hops: list[str]
) -> dict[str, float]:
    results = Results()
    start = time.perf_counter()
    warmup_until = start + warmup
    deadline = warmup_until + duration
    await asyncio.gather(
        *(
            handset(url, phones[i % len(phones)], hops, deadline, results, warmup_until)
            for i in range(concurrency)
        )
    )
    measured = time.perf_counter() - warmup_until
    latencies = sorted(results.latencies)
    ms = 1000.0
    return {
        "hops": len(latencies),
        "answered": results.answered,
        "hops_per_second": len(latencies) / measured,
        "journeys_per_second": results.journeys / measured,
        "p50_ms": percentile(latencies, 0.50) * ms,
        "p90_ms": percentile(latencies, 0.90) * ms,
        "p99_ms": percentile(latencies, 0.99) * ms,
        "max_ms": (latencies[-1] * ms) if latencies else float("nan"),
        "errors": results.errors,
        "error_samples": results.error_samples,  # type: ignore[dict-item]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000/ussd/africastalking/callback")
    parser.add_argument("--phones", default="+233244100000", help="comma-separated E.164 list")
    parser.add_argument(
        "--phone-count",
        type=int,
        default=0,
        help="use N consecutive numbers from the first of --phones",
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--journey",
        choices=["deposit", "single"],
        default="deposit",
        help="deposit: the cylinder-deposit journey; single: one hop a session",
    )
    args = parser.parse_args()
    phones = args.phones.split(",")
    if args.phone_count:
        first = int(phones[0].lstrip("+"))
        phones = [f"+{first + i}" for i in range(args.phone_count)]
    hops = DEPOSIT if args.journey == "deposit" else [""]
    outcome = asyncio.run(run(args.url, phones, args.concurrency, args.duration, args.warmup, hops))
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
