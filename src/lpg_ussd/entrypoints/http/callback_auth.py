"""Who may call the aggregators' routes, chosen per gateway in settings.

Aggregators do not sign their requests. Each gateway's routes can ask for a secret last path
segment (`.../callback/{token}`), HTTP Basic credentials, or both, and accept requests only from
some source networks. The source is the connecting peer or, when the peer is one of the trusted
proxies, the rightmost X-Forwarded-For address that is not a trusted proxy: what a client writes
into that header itself is never believed.

The check runs before anything else (a guard on the notice and checkout routes, the first line
of the hop routes' handler), so a refused request reaches no body, no session and no database:
403 for a source outside the allowed networks, 401 for missing or wrong credentials, 404 for a
token segment on a gateway that has no token.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from lpg_ussd.settings import CallbackSecurity, Settings

log = logging.getLogger("lpg_ussd.http.callback_auth")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
BASIC_CHALLENGE = 'Basic realm="lpg-ussd", charset="UTF-8"'


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """One gateway's rules; secrets are kept as bytes for hmac.compare_digest."""

    gateway: str
    token: bytes = b""
    user: bytes = b""
    password: bytes = b""
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, gateway: str, security: CallbackSecurity) -> CallbackPolicy:
        user, _, password = security.basic_auth.partition(":")
        return cls(
            gateway=gateway,
            token=security.token.encode(),
            user=user.encode(),
            password=password.encode(),
            networks=networks_of(security.allowed_networks),
        )

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or self.user)

    def admits_on_path(self, token: str | None) -> bool:
        """True when the path alone lets the request in: no networks and no Basic credentials
        to check, and the right token (or none asked and none given). Anything else takes the
        full check, which also says why a request is refused."""
        if self.networks or self.user:
            return False
        return self.token_matches(token) if self.token else token is None

    def token_matches(self, token: str | None) -> bool:
        given = token.encode("utf-8", "replace") if token is not None else None
        return given is not None and hmac.compare_digest(given, self.token)

    def basic_matches(self, authorization: str | None) -> bool:
        credentials = basic_credentials(authorization)
        if credentials is None:
            return False
        user, password = credentials
        # Both compared, whatever the first gives: the time taken tells nothing.
        user_ok = hmac.compare_digest(user, self.user)
        password_ok = hmac.compare_digest(password, self.password)
        return user_ok and password_ok


@dataclass(frozen=True, slots=True)
class CallbackAuth:
    policies: Mapping[str, CallbackPolicy]
    trusted_proxies: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> CallbackAuth:
        policies = {
            gateway: CallbackPolicy.from_settings(gateway, security)
            for gateway, security in settings.callback_security.items()
        }
        return cls(policies, networks_of(settings.trusted_proxies))

    def check(
        self,
        gateway: str,
        *,
        token: str | None,
        authorization: str | None,
        peer: str | None,
        forwarded_for: Sequence[str] = (),
    ) -> None:
        """Raise the HTTP error a refused request gets; `token` is None on a token-less route."""
        policy = self.policies.get(gateway)
        if policy is None:
            return  # not an aggregator of ours: the handler (same exact names) answers 404
        if policy.networks:
            source = self.source_address(peer, forwarded_for)
            if source is None or not within(source, policy.networks):
                _refuse(gateway, source, "source network not allowed")
                raise PermissionDeniedException("source network not allowed")
        if token is not None and not policy.token:
            raise NotFoundException()
        if policy.token and not policy.token_matches(token):
            source = self.source_address(peer, forwarded_for)
            _refuse(gateway, source, "missing or wrong path token")
            raise NotAuthorizedException("missing or wrong callback token")
        if policy.user and not policy.basic_matches(authorization):
            source = self.source_address(peer, forwarded_for)
            _refuse(gateway, source, "missing or wrong Basic credentials")
            raise NotAuthorizedException(
                "missing or wrong credentials", headers={"WWW-Authenticate": BASIC_CHALLENGE}
            )

    def source_address(self, peer: str | None, forwarded_for: Sequence[str]) -> IPAddress | None:
        """The peer; from a trusted proxy, the rightmost forwarded hop that is not one."""
        address = parse_address(peer)
        if address is None or not within(address, self.trusted_proxies):
            return address
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        for hop in reversed([hop for hop in hops if hop]):
            forwarded = parse_address(hop)
            if forwarded is None:
                return None  # an unreadable hop: the source is unknown
            address = forwarded
            if not within(address, self.trusted_proxies):
                return address
        return address  # every hop a trusted proxy: the farthest one

    def open_routes(self, routes: Mapping[str, Iterable[str]]) -> list[str]:
        """Log a warning for each route of a gateway without credentials; return them."""
        open_ = []
        for gateway, paths in routes.items():
            policy = self.policies.get(gateway)
            if policy is None or policy.has_credentials:
                continue
            name = f"LPG_USSD_{gateway.upper()}"
            reach = "anyone" if not policy.networks else f"anyone in {name}_ALLOWED_NETWORKS"
            for path in paths:
                open_.append(path)
                log.warning(
                    "POST %s is open to %s: set %s_CALLBACK_TOKEN or %s_BASIC_AUTH",
                    path,
                    reach,
                    name,
                    name,
                )
        return open_


async def callback_guard(
    connection: ASGIConnection[Any, Any, Any, Any], route_handler: BaseRouteHandler
) -> None:
    """The gateway is the route's `gateway` option or its `{gateway}` path parameter."""
    gateway = route_handler.opt.get("gateway") or connection.path_params.get("gateway", "")
    check_callback(connection, gateway)


def check_callback(connection: ASGIConnection[Any, Any, Any, Any], gateway: str) -> None:
    """The guard's check, for a handler that makes it first thing itself (the hop routes:
    Litestar copies the route handler for each guard it runs, on every request)."""
    auth: CallbackAuth = connection.app.state.callback_auth
    policy = auth.policies.get(gateway)
    if policy is None or policy.admits_on_path(connection.path_params.get("token")):
        return  # (no policy: not an aggregator of ours, the handler answers 404)
    auth.check(
        gateway,
        token=connection.path_params.get("token"),
        authorization=connection.headers.get("authorization"),
        peer=connection.client.host if connection.client else None,
        forwarded_for=connection.headers.getall("x-forwarded-for", []),
    )


def basic_credentials(authorization: str | None) -> tuple[bytes, bytes] | None:
    """`Basic base64(user:password)` -> (user, password); None when absent or malformed."""
    scheme, _, encoded = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, colon, password = decoded.partition(b":")
    return (user, password) if colon else None


def parse_address(text: str | None) -> IPAddress | None:
    """An address as a peer or a forwarded hop gives it (with a port, in brackets); or None."""
    value = (text or "").strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]  # [2001:db8::1]:443
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]  # 203.0.113.9:5060
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def networks_of(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


def within(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def _refuse(gateway: str, source: IPAddress | None, reason: str) -> None:
    where = source or "an unknown address"
    log.warning("refused a %s callback from %s: %s", gateway, where, reason)
