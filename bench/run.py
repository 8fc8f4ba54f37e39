"""Start the line on PostgreSQL and Redis, seed verified customers, play the benchmark, and
print a table; then the same load against the floor (a plain Litestar app that does only the
journey's Redis and SQL, `floor_app`) and a bare Litestar app that only touches one Redis key.

    python -m bench.run [--duration 20] [--concurrency 32] [--workers 1,2] [--no-floor]

Needs PostgreSQL and Redis on this machine (as for the integration tests); makes its own
database and key prefix and removes them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "LPG_USSD_BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("LPG_USSD_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
FIRST_PHONE = 233244100000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database() -> Iterator[str]:
    name = f"lpg_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def seeded_database(customers: int) -> Iterator[str]:
    """A scratch database, migrated, with `customers` verified customers; removed afterwards."""
    with scratch_database() as database_url:
        subprocess.run(
            [str(BIN / "lpg-ussd"), "migrate"],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "LPG_USSD_DATABASE_URL": database_url},
        )
        asyncio.run(seed_customers(database_url, customers))
        yield database_url


def line_settings(
    database_url: str, prefix: str, *, run_worker: bool, log_level: str = "WARNING"
) -> dict[str, str]:
    """The line's settings for a benchmark, as environment variables."""
    return {
        "LPG_USSD_DATABASE_URL": database_url,
        "LPG_USSD_REDIS_URL": REDIS_URL,
        "LPG_USSD_REDIS_KEY_PREFIX": prefix,
        "LPG_USSD_AUTO_MIGRATE": "false",
        "LPG_USSD_LOG_LEVEL": log_level,
        # The benchmark's handsets answer far faster than people, from one address.
        "LPG_USSD_RATE_LIMIT_PHONE_PER_MINUTE": "0",
        "LPG_USSD_RATE_LIMIT_SOURCE_PER_MINUTE": "0",
        "LPG_USSD_RUN_WORKER": "true" if run_worker else "false",
    }


def clear_prefix(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


async def seed_customers(database_url: str, count: int) -> None:
    """Verified customers, as staff would leave them, without paying argon2 per customer."""
    from lpg_ussd.adapters.persistence.database import create_engine
    from lpg_ussd.adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
    from lpg_ussd.adapters.pins import Argon2PinHasher
    from lpg_ussd.domain.customer import Customer
    from lpg_ussd.domain.msisdn import Msisdn

    engine = create_engine(database_url)
    pin_hash = await Argon2PinHasher().hash("4826")
    now = datetime.now(UTC)
    async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
        for i in range(count):
            customer = Customer(
                id=None,
                msisdn=Msisdn(f"+{FIRST_PHONE + i}"),
                first_name="Ama",
                last_name="Mensah",
                town="Accra",
                digital_address=None,
                pin_hash=pin_hash,
                created_at=now,
            )
            customer.verify(now)
            await uow.customers.add(customer)
        await uow.commit()
    await engine.dispose()


def wait_ready(
    url: str, process: subprocess.Popen[bytes], timeout: float = 30, ready_status: int = 200
) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == ready_status:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def per_process_rss_mb(pid: int) -> float:
    """The largest resident set among the server's processes (what one process costs)."""
    largest = 0
    for each in server_pids(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return largest / 1024


def server_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [pid]
    if children.exists():
        found += [int(p) for p in children.read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine so far, every core together. Time the
    hypervisor took (steal) counts as not ours; guest time is already in user time."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal


def start_load(url: str, args: argparse.Namespace, journey: str) -> subprocess.Popen[bytes]:
    """The load generator, in a process of its own."""
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--concurrency",
        str(args.concurrency),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--phones",
        f"+{FIRST_PHONE}",
        "--phone-count",
        str(args.customers),
        "--journey",
        journey,
    ]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE)


def play(
    url: str, server_pid: int, args: argparse.Namespace, journey: str, also: Sequence[int] = ()
) -> dict[str, Any]:
    """Run the load and sample the server's memory meanwhile; with the CPU time the server
    (and the processes `also` named) spent on each hop answered, a figure that other load on
    the machine disturbs far less than hops per second."""
    pids = [*server_pids(server_pid), *also]
    cpu_before = cpu_seconds(pids)
    busy_before, all_before = machine_ticks()
    process = start_load(url, args, journey)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, per_process_rss_mb(server_pid))
        time.sleep(0.25)
    cpu = cpu_seconds(pids) - cpu_before
    busy_after, all_after = machine_ticks()
    assert process.stdout is not None
    outcome: dict[str, Any] = json.loads(process.stdout.read())
    outcome["rss_mb"] = peak
    outcome["cpu_ms_per_hop"] = 1000 * cpu / max(outcome["answered"], 1)
    # How busy the whole machine was (load generator, databases and all): a second worker
    # has nothing to grow into on a machine already near 100%.
    outcome["machine_busy"] = 100 * (busy_after - busy_before) / max(all_after - all_before, 1)
    return outcome


def spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "lpg-ussd"), *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


WORKER_START_SECONDS = 1.5


def started_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The outbox worker, given time to start before the load (and its CPU count) begins:
    its start-up is not the cost of any hop."""
    worker = spawn(["worker"], env)
    time.sleep(WORKER_START_SECONDS)
    if worker.poll() is not None:
        raise RuntimeError(f"the outbox worker exited with {worker.returncode}")
    return worker


def serve_line(
    database_url: str, prefix: str, workers: int, args: argparse.Namespace
) -> dict[str, Any]:
    port = free_port()
    # As in production: the outbox worker in a process of its own (`--worker-inside` not).
    env = {**os.environ, **line_settings(database_url, prefix, run_worker=args.worker_inside)}
    process = spawn(["serve", "--port", str(port), "--workers", str(workers)], env)
    worker = None
    try:
        # The server's own start-up, timed before the worker starts beside it on two cores.
        startup = wait_ready(f"http://127.0.0.1:{port}/health/ready", process)
        worker = None if args.worker_inside else started_worker(env)
        url = f"http://127.0.0.1:{port}/ussd/africastalking/callback"
        outcome = play(url, process.pid, args, "deposit", [worker.pid] if worker else [])
        outcome["startup_s"] = startup
        if worker is not None and worker.poll() is not None:
            raise RuntimeError(f"the outbox worker exited with {worker.returncode}")
        return outcome
    finally:
        for each in (process, worker):
            if each is not None:
                each.terminate()
                each.wait(timeout=40)  # `serve` gives its processes 30 s to finish


def serve_plain(
    module: str,
    journey: str,
    env: dict[str, str],
    args: argparse.Namespace,
    also: Sequence[int] = (),
) -> dict[str, Any]:
    """One of the plain Litestar apps of `bench/` under uvicorn, played like the line (with
    the CPU of the processes `also` names counted as the server's)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{module}:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_REDIS_URL": REDIS_URL, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/ussd/africastalking/callback"
        # uvicorn answers once the app's start-up is done; the route takes POST only.
        wait_ready(url, process, ready_status=405)
        return play(url, process.pid, args, journey, also)
    finally:
        process.terminate()
        process.wait(timeout=15)


def serve_bare(prefix: str, args: argparse.Namespace) -> dict[str, Any]:
    return serve_plain("bench.bare_app", "single", {"BENCH_REDIS_PREFIX": prefix}, args)


def serve_floor(database_url: str, prefix: str, args: argparse.Namespace) -> dict[str, Any]:
    """The floor app, with the line's outbox worker beside it sending the texts its orders
    leave, as the line's runs have it: the same work on the same two cores."""
    line_env = {**os.environ, **line_settings(database_url, prefix, run_worker=False)}
    worker = started_worker(line_env)
    try:
        env = {"BENCH_REDIS_PREFIX": prefix, "BENCH_DATABASE_URL": database_url}
        outcome = serve_plain("bench.floor_app", "deposit", env, args, [worker.pid])
        if worker.poll() is not None:
            raise RuntimeError(f"the outbox worker exited with {worker.returncode}")
        return outcome
    finally:
        worker.terminate()
        worker.wait(timeout=40)


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "| run | hops/s | journeys/s | p50 ms | p90 ms | p99 ms | max ms | errors | CPU ms/hop "
        "| machine busy | RSS MB | ready s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        ready = f"{r['startup_s']:.2f}" if "startup_s" in r else "-"
        lines.append(
            f"| {name} | {r['hops_per_second']:.0f} | {r['journeys_per_second']:.0f} | "
            f"{r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | "
            f"{r['errors']} | {r['cpu_ms_per_hop']:.2f} | {r['machine_busy']:.0f}% | "
            f"{r['rss_mb']:.0f} | {ready} |"
        )
    return "\n".join(lines)


# The targets: one server process, 32 handsets, the deposit journey, on a 2-core machine.
TARGET_HOPS = 1500
TARGET_P99_MS = 50
TARGET_SHARE = 70  # percent of the bare app's hops per second
TARGET_RSS_MB = 150
TARGET_READY_S = 2


def share_of(result: dict[str, Any], bare: dict[str, Any]) -> float:
    """Hops per second, in percent of the bare app's."""
    return 100 * result["hops_per_second"] / max(bare["hops_per_second"], 1e-9)


def verdicts(
    rows: list[tuple[str, dict[str, Any]]],
    bare: dict[str, Any],
    floor: tuple[str, dict[str, Any]] | None = None,
) -> list[str]:
    """Each target against the first of our runs (one worker unless `--workers` says
    otherwise: the targets are for one server process), how the further runs scale, and
    what share of the bare app the floor reached."""
    name, ours = rows[0]
    share = share_of(ours, bare)
    checks = [
        (f"{ours['errors']} errors", "0", ours["errors"] == 0),
        (
            f"{ours['hops_per_second']:.0f} hops/s",
            f">= {TARGET_HOPS}",
            ours["hops_per_second"] >= TARGET_HOPS,
        ),
        (f"p99 {ours['p99_ms']:.1f} ms", f"< {TARGET_P99_MS} ms", ours["p99_ms"] < TARGET_P99_MS),
        (f"{share:.0f}% of the bare app", f">= {TARGET_SHARE}%", share >= TARGET_SHARE),
        (
            f"{ours['rss_mb']:.0f} MB resident",
            f"< {TARGET_RSS_MB} MB",
            ours["rss_mb"] < TARGET_RSS_MB,
        ),
        (
            f"ready in {ours['startup_s']:.2f} s",
            f"< {TARGET_READY_S} s",
            ours["startup_s"] < TARGET_READY_S,
        ),
    ]
    lines = [f"{name}:"]
    lines += [
        f"  {'met    ' if ok else 'NOT met'} {what} (target {target})"
        for what, target, ok in checks
    ]
    for other, result in rows[1:]:
        growth = 100 * (result["hops_per_second"] / max(ours["hops_per_second"], 1e-9) - 1)
        lines.append(f"{other}: {growth:+.0f}% hops/s against {name}")
    if floor is not None:
        lines.append(
            f"{floor[0]}: {share_of(floor[1], bare):.0f}% of the bare app "
            "(the most the deposit journey's own Redis and SQL leave on this machine)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="skip the floor app (bench/floor_app.py): the journey's Redis and SQL alone",
    )
    parser.add_argument(
        "--worker-inside",
        action="store_true",
        help="run the outbox worker inside the server (by default: a process of its own)",
    )
    args = parser.parse_args()

    prefix = f"lpg-bench-{secrets.token_hex(4)}"
    rows: list[tuple[str, dict[str, Any]]] = []
    floor: tuple[str, dict[str, Any]] | None = None
    with seeded_database(args.customers) as database_url:
        try:
            for workers in [int(w) for w in args.workers.split(",")]:
                rows.append(
                    (
                        f"lpg-ussd, {workers} worker{'s' if workers > 1 else ''}",
                        serve_line(database_url, prefix, workers, args),
                    )
                )
            if not args.no_floor:
                result = serve_floor(database_url, prefix + "-floor", args)
                floor = ("floor: the journey's Redis and SQL alone", result)
            bare = serve_bare(prefix + "-bare", args)
        finally:
            clear_prefix(prefix)

    print(
        f"\n{os.cpu_count()} cores, Python {platform.python_version()}, {args.concurrency} "
        f"concurrent handsets, {args.duration:.0f} s after {args.warmup:.0f} s warm-up, "
        "load generator on the same machine\n"
    )
    everything = [*rows, *([floor] if floor else []), ("bare Litestar + 1 Redis key", bare)]
    print(table(everything))
    print()
    print("\n".join(verdicts(rows, bare, floor)))
    for name, r in everything:
        if r["errors"]:
            print(f"{name}: error samples: {r['error_samples']}")


if __name__ == "__main__":
    main()
