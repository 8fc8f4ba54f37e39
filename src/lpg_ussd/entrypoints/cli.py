"""The `lpg-ussd` console command: serve, migrate, worker, dial, reconcile, and staff's
tasks."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from lpg_ussd.settings import Settings, SettingsError

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        sys.exit(f"lpg-ussd: {error}")


def _configure_logging(settings: Settings) -> None:
    from lpg_ussd.entrypoints.logs import configure

    configure(settings.log_level, settings.log_format)


def cmd_migrate(args: argparse.Namespace) -> int:
    from lpg_ussd.adapters.persistence.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, args.revision)
    print(f"database at revision {args.revision}")
    return 0


APP = "lpg_ussd.entrypoints.http.app:create_app_from_env"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from lpg_ussd.entrypoints import workers

    settings = _settings()
    _configure_logging(settings)
    if settings.auto_migrate:
        from lpg_ussd.adapters.persistence.migrate import upgrade_if_behind

        upgrade_if_behind(settings.database_url)
    if args.workers > 1 and not settings.redis_url:
        print(
            "warning: several workers without LPG_USSD_REDIS_URL do not share sessions",
            file=sys.stderr,
        )
    options: dict[str, Any] = {
        "factory": True,
        "log_level": settings.log_level.lower(),
        "log_config": None,  # ours (masked phone numbers), set up by the app's factory
        "access_log": False,
        # The app alone decides whose X-Forwarded-For to believe (LPG_USSD_TRUSTED_PROXIES);
        # uvicorn's own would rewrite the client address for 127.0.0.1 behind its back.
        "proxy_headers": False,
    }
    if args.workers > 1 and workers.spreads_connections():
        return workers.supervise(APP, args.workers, args.host, args.port, options)
    uvicorn.run(APP, host=args.host, port=args.port, workers=args.workers, **options)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from lpg_ussd.container import build_container

    settings = _settings()
    _configure_logging(settings)

    async def main() -> None:
        container = build_container(settings)
        if not args.once:
            from lpg_ussd.entrypoints.heap import freeze_start_up_heap

            freeze_start_up_heap()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            if args.once:
                handled = await container.worker().run_once()
                await container.simulated_payments().drain()
                print(f"{handled} messages handled")
            else:
                await container.worker().run_forever(stop)
        finally:
            await container.db_engine().dispose()

    run_event_loop(main())
    return 0


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """uvloop where it is installed (as `serve` runs under uvicorn): the worker waits on many
    database round trips, and the standard loop's polling cost it a fifth of its CPU."""
    try:
        import uvloop
    except ImportError:  # Windows
        return asyncio.run(main)
    return uvloop.run(main)


def _run(use: Callable[[Any], Awaitable[T]]) -> T:
    """Run one staff task against the configured database."""
    from lpg_ussd.container import build_container

    async def main() -> T:
        container = build_container(_settings())
        try:
            return await use(container)
        finally:
            await container.db_engine().dispose()

    return asyncio.run(main())


def _phone(raw: str) -> Any:
    from lpg_ussd.adapters.phone import normalise_msisdn
    from lpg_ussd.domain.errors import InvalidValue

    try:
        return normalise_msisdn(raw)
    except InvalidValue:
        sys.exit(f"lpg-ussd: {raw!r} is not a phone number")


def cmd_customers(args: argparse.Namespace) -> int:
    from lpg_ussd.domain.customer import VerificationStatus
    from lpg_ussd.domain.errors import NotFound

    if args.action == "list":
        status = VerificationStatus(args.status) if args.status else None
        found = _run(lambda c: c.list_customers()(status=status, search=args.search))
        for customer in found:
            address = customer.digital_address or "-"
            print(
                f"{customer.msisdn}  {customer.status.value:<10}  "
                f"{customer.first_name} {customer.last_name}, {customer.town}, {address}"
            )
        if not found:
            print("no customers")
        return 0
    msisdn = _phone(args.phone)
    try:
        if args.action == "unlock":
            customer = _run(lambda c: c.unlock_pin()(msisdn))
        else:
            approve = args.action == "verify"
            customer = _run(lambda c: c.verify_customer()(msisdn, approve))
    except NotFound:
        print(f"no customer with number {msisdn}", file=sys.stderr)
        return 1
    print(
        f"{customer.msisdn}: {customer.status.value}"
        + (", PIN unlocked" if args.action == "unlock" else "")
    )
    return 0


def cmd_orders(args: argparse.Namespace) -> int:
    from lpg_ussd.domain.errors import NotFound, TransitionNotAllowed
    from lpg_ussd.domain.order import OrderStatus

    if args.action == "list":
        status = OrderStatus(args.status) if args.status else None
        found = _run(lambda c: c.list_orders()(status=status))
        for order in found:
            print(
                f"{order.reference}  {order.status.value:<16}  {order.cylinder_label:<16} "
                f"{order.total.format()}  {order.created_at:%Y-%m-%d %H:%M}"
            )
        if not found:
            print("no orders")
        return 0
    target = OrderStatus(args.status)
    try:
        order = _run(lambda c: c.move_order()(args.reference.upper(), target))
    except NotFound:
        print(f"no order {args.reference}", file=sys.stderr)
        return 1
    except TransitionNotAllowed as error:
        print(f"not allowed: {error}", file=sys.stderr)
        return 1
    print(f"{order.reference}: {order.status.value}")
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    """One line per disagreement; exit 1 when there is any, 0 when all agree."""
    result = _run(lambda c: c.reconcile()())
    for finding in result.findings:
        print(finding)
    if result.agrees:
        print(f"{result.orders} orders and {result.payments} payments checked: all agree")
        return 0
    print(
        f"{len(result.findings)} disagreement(s) in {result.orders} orders and "
        f"{result.payments} payments",
        file=sys.stderr,
    )
    return 1


def cmd_dial(args: argparse.Namespace) -> int:
    from lpg_ussd.entrypoints.handset import Handset

    handset = Handset(args.url, args.phone, args.service_code, session_id=str(uuid.uuid4()))
    return handset.run(input_fn=input, output_fn=print)


def _new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Password (10 characters or more): ")
    if getpass.getpass("Same password again: ") != first:
        sys.exit("lpg-ussd: the two passwords differ")
    return first


def cmd_staff(args: argparse.Namespace) -> int:
    from lpg_ussd.adapters.persistence.migrate import upgrade
    from lpg_ussd.domain.errors import AlreadyExists, DomainError, InvalidValue, NotFound
    from lpg_ussd.domain.staff import Role

    if args.action == "list":
        for user in _run(lambda c: c.list_staff()()):
            state = "active" if user.active else "switched off"
            print(f"{user.username:<20} {user.role.value:<10} {state:<12} {user.display_name}")
        return 0
    if args.action in ("activate", "deactivate"):
        active = args.action == "activate"
        try:
            _run(lambda c: c.set_staff_active()(args.username, active, actor="cli"))
        except NotFound:
            print(f"no staff account {args.username!r}", file=sys.stderr)
            return 1
        print(f"{args.username}: {'active' if active else 'switched off'}")
        return 0
    upgrade(_settings().database_url, "head")
    password = _new_password(args)
    role = Role(args.role)
    name = args.name or args.username
    try:
        user = _run(lambda c: c.create_staff()(args.username, name, role, password, actor="cli"))
    except AlreadyExists:
        print(f"a staff account {args.username!r} exists already", file=sys.stderr)
        return 1
    except InvalidValue as error:
        hints = {
            "username": "a username is 2-32 lower-case letters, digits, '.', '_' or '-'",
            "password_length": "a password has 10 to 128 characters",
            "password_weak": "that password is too easy to guess",
        }
        print(f"lpg-ussd: {hints.get(error.reason, error.reason)}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"lpg-ussd: {error}", file=sys.stderr)
        return 1
    print(f"staff account {user.username} ({user.role.value}) created")
    return 0


def cmd_apikeys(args: argparse.Namespace) -> int:
    from lpg_ussd.adapters.persistence.migrate import upgrade
    from lpg_ussd.domain.api_key import parse_scopes
    from lpg_ussd.domain.errors import InvalidValue, NotFound

    if args.action == "list":
        for key in _run(lambda c: c.list_api_keys()()):
            state = "revoked" if key.revoked_at else "active"
            print(f"{key.prefix}  {key.name:<20} {state:<8} {' '.join(sorted(key.scopes))}")
        return 0
    if args.action == "revoke":
        try:
            _run(lambda c: c.revoke_api_key()(args.prefix, actor="cli"))
        except NotFound:
            print(f"no API key {args.prefix!r}", file=sys.stderr)
            return 1
        print(f"API key {args.prefix} revoked")
        return 0
    upgrade(_settings().database_url, "head")
    try:
        scopes = parse_scopes(args.scope)
        key, secret = _run(lambda c: c.create_api_key()(args.name, scopes, actor="cli"))
    except InvalidValue as error:
        print(f"lpg-ussd: invalid {error.reason}", file=sys.stderr)
        return 1
    print(f"API key {key.prefix} for {key.name}: {' '.join(sorted(key.scopes))}")
    print("Keep this key now; it is not shown again:")
    print(secret)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lpg-ussd", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server (migrates first by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=cmd_migrate)

    worker = sub.add_parser("worker", help="send the outbox (SMS, payment requests)")
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.set_defaults(func=cmd_worker)

    dial = sub.add_parser("dial", help="a handset in the terminal, talking to a running server")
    dial.add_argument("--url", default="http://127.0.0.1:8000/ussd/africastalking/callback")
    dial.add_argument("--phone", default="+233244000001")
    dial.add_argument("--service-code", default="*384*303#")
    dial.set_defaults(func=cmd_dial)

    customers = sub.add_parser("customers", help="verify, reject, unlock and list customers")
    csub = customers.add_subparsers(dest="action", required=True)
    for action in ("verify", "reject", "unlock"):
        p = csub.add_parser(action)
        p.add_argument("phone")
    listing = csub.add_parser("list")
    listing.add_argument("--status", choices=["unverified", "verified", "rejected"])
    listing.add_argument("--search")
    customers.set_defaults(func=cmd_customers)

    orders = sub.add_parser("orders", help="list orders and move them through their statuses")
    osub = orders.add_subparsers(dest="action", required=True)
    olist = osub.add_parser("list")
    olist.add_argument("--status")
    move = osub.add_parser("move")
    move.add_argument("reference")
    move.add_argument(
        "status",
        choices=["paid", "dispatched", "delivered", "cancelled"],
        help="the new status",
    )
    orders.set_defaults(func=cmd_orders)

    reconcile = sub.add_parser(
        "reconcile",
        help="list orders, payments and wallets whose amounts or states disagree (exit 1)",
    )
    reconcile.set_defaults(func=cmd_reconcile)

    staff = sub.add_parser("staff", help="staff accounts of the web console")
    ssub = staff.add_subparsers(dest="action", required=True)
    create = ssub.add_parser("create", help="a new account (the first admin, say)")
    create.add_argument("username")
    create.add_argument("--role", choices=["agent", "dispatcher", "admin"], default="admin")
    create.add_argument("--name", help="the name shown in the console")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    ssub.add_parser("list")
    for action in ("activate", "deactivate"):
        ssub.add_parser(action).add_argument("username")
    staff.set_defaults(func=cmd_staff)

    apikeys = sub.add_parser("apikeys", help="API keys of the company's other systems")
    asub = apikeys.add_subparsers(dest="action", required=True)
    acreate = asub.add_parser("create")
    acreate.add_argument("name")
    acreate.add_argument(
        "--scope", action="append", required=True, help="e.g. orders:read (repeat for more)"
    )
    asub.add_parser("list")
    asub.add_parser("revoke").add_argument("prefix")
    apikeys.set_defaults(func=cmd_apikeys)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
