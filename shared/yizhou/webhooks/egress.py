"""Where the webhook bridge may send: the URL rules, the address rules and an HTTP client that keeps them.

A partner names the URL, so without rules the platform would POST wherever a partner points it (SSRF):
its own loopback services, the database, the cloud's metadata service at 169.254.169.254. The rules:

- the URL is `https://` with a host and no user or password in it; a host that is a number is written
  as a plain IPv4 (dotted decimal) or IPv6 address, never `127.1`, `0x7f000001`, `2130706433`, ...;
- the host resolves, and EVERY address it resolves to is public: not loopback, private (RFC 1918,
  fc00::/7), shared (100.64/10), link-local (169.254/16, fe80::/10), multicast, unspecified, reserved or
  site-local, nor an IPv6 address that embeds an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64) which is not;
- networks an operator lists explicitly (`EgressPolicy.allowed_networks`: loopback for tests and
  laptops) are let through, plain `http://` included. Nothing is allowed by default.

The rules are checked when an endpoint is registered (a clear 422) and again on every connection the
client opens: its network backend resolves the host itself, checks every address and connects to a
checked address (never the name again), so a name that resolves elsewhere by the time of a delivery
(DNS rebinding) is refused too, and the TLS handshake still verifies the certificate for the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK_NETWORKS: tuple[IPNetwork, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")  # WHATWG: a host whose last label is a number is IPv4
RESOLVE_TIMEOUT_S = 5.0
_CONNECT_TRIES = 4  # addresses of one name tried in turn before the connection counts as failed

# What a refused registration says about the host. One answer for "does not resolve" and "resolves to
# an address that is not public": which internal names the platform's resolver knows is not for partners.
NOT_PUBLIC = "the host must resolve, and only to public internet addresses"


class RefusedDestination(ValueError):
    """The URL or its addresses break the rules; the message is safe to show to the partner."""


class BlockedAddress(RefusedDestination):
    """The host resolves to an address the bridge may not call."""


class Unresolvable(RefusedDestination):
    """The host does not resolve (now)."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [address.sixtofour, *(address.teredo or ())]
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def is_public(address: IPAddress) -> bool:
    """A global unicast address, and so is every IPv4 address it carries inside."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None or address.is_site_local:
            return False
        if not all(is_public(inner) for inner in _embedded_ipv4(address)):
            return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified)


@dataclass(frozen=True)
class EgressPolicy:
    """The networks let through besides the public internet (and over plain http as well)."""

    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, *, allow_loopback: bool = False, networks: Iterable[str | IPNetwork] = ()) -> EgressPolicy:
        listed = tuple(ipaddress.ip_network(n, strict=False) if isinstance(n, str) else n for n in networks)
        return cls((LOOPBACK_NETWORKS if allow_loopback else ()) + listed)

    def listed(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == net.version and address in net for net in self.allowed_networks)

    def admits(self, address: IPAddress) -> bool:
        """May the bridge open a TLS connection to this address?"""
        return self.listed(address) or is_public(address)

    def admits_plain_http(self, address: IPAddress) -> bool:
        """Plain http only inside the explicitly listed networks (a laptop's own receiver)."""
        return self.listed(address)


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def parse_endpoint_url(url: str) -> httpx.URL:
    """The URL as the client will send to it, or `RefusedDestination` saying why not. Only the form is
    checked here; where the host points is `check_destination`'s (and the client's) business."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise RefusedDestination("not a valid URL") from None
    if parsed.scheme not in ("https", "http"):
        raise RefusedDestination("https required")
    if parsed.userinfo or "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        raise RefusedDestination("a user name or password in the URL is not allowed")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RefusedDestination("the port must be between 1 and 65535")
    host = parsed.raw_host.decode("ascii", "replace").lower()
    if not host:
        raise RefusedDestination("the URL has no host")
    if ":" in host:  # an IPv6 literal (httpx took it from inside brackets)
        if _ip_literal(host) is None:
            raise RefusedDestination("not a valid IPv6 address")
        return parsed
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        literal = _ip_literal(host)
        if literal is None or str(literal) != host:
            raise RefusedDestination("write an IP address in plain dotted-decimal form")
        return parsed
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise RefusedDestination("not a valid host name")
    return parsed


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, in the resolver's order (one lookup, as the connection uses)."""
    literal = _ip_literal(host.split("%", 1)[0])
    if literal is not None:
        return [literal]
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError, TimeoutError):
        raise Unresolvable(NOT_PUBLIC) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = _ip_literal(str(sockaddr[0]).split("%", 1)[0])
        if address is None:
            raise Unresolvable(NOT_PUBLIC)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolvable(NOT_PUBLIC)
    return addresses


def _default_port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


async def check_destination(url: str, policy: EgressPolicy) -> httpx.URL:
    """The whole rule set for a URL as it stands now: its form, then every address its host resolves to."""
    parsed = parse_endpoint_url(url)
    addresses = await resolve(parsed.raw_host.decode("ascii"), _default_port(parsed))
    admit = policy.admits if parsed.scheme == "https" else policy.admits_plain_http
    if not all(admit(a) for a in addresses):
        if parsed.scheme == "http" and all(policy.admits(a) for a in addresses):
            raise BlockedAddress("https required")
        raise BlockedAddress(NOT_PUBLIC)
    return parsed


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address rules in front: resolves the host (module-level
    `resolve`, looked up at each call), refuses if any address is not admitted, then connects to the
    checked addresses themselves. TLS (SNI, certificate check) still uses the URL's host name."""

    def __init__(self, admits: Callable[[IPAddress], bool]) -> None:
        self._admits = admits
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        if not all(self._admits(a) for a in addresses):
            raise BlockedAddress(NOT_PUBLIC)
        failure: Exception | None = None
        for address in addresses[:_CONNECT_TRIES]:
            try:
                return await self._inner.connect_tcp(str(address), port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options=None) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not a webhook destination")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport on a `GuardedNetworkBackend` (httpx takes no network backend of its own, so the
    connection pool it made is replaced by one that has it; no proxy, no environment settings)."""

    def __init__(self, admits: Callable[[IPAddress], bool], limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=GuardedNetworkBackend(admits))


def guarded_client(policy: EgressPolicy, timeout_s: float) -> httpx.AsyncClient:
    """An HTTP client that calls only what `policy` admits: https to public (or listed) addresses, plain
    http only to listed ones; no redirects followed, no proxy from the environment."""
    return httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, trust_env=False,
                             transport=GuardedTransport(policy.admits),
                             mounts={"http://": GuardedTransport(policy.admits_plain_http)})


# What a partner sees of a failed attempt: a class, never the socket error (which would say which ports
# of which hosts answer). The details go to the service's log.
FAILURE_CLASSES = ("timeout", "unreachable", "blocked", "3xx", "4xx", "5xx", "error")


def failure_class(exc: BaseException) -> str:
    if isinstance(exc, Unresolvable):
        return "unreachable"
    if isinstance(exc, RefusedDestination):   # an address or a URL form the rules refuse
        return "blocked"
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return "timeout"
    if isinstance(exc, (httpx.HTTPError, OSError)):
        return "unreachable"
    return "error"


def status_class(status_code: int) -> str:
    return f"{status_code // 100}xx"


def shown_error(stored: str | None) -> str | None:
    """The class of a stored error; rows written before errors were classes held the raw text."""
    if stored is None or stored in FAILURE_CLASSES:
        return stored
    if stored.startswith("HTTP ") and stored[5:6].isdigit():
        return f"{stored[5]}xx"
    return "timeout" if "Timeout" in stored else "unreachable"
