"""Where URLs found on the web may lead: public addresses only, unless the user allows more.

Feed items, listing links, pagination and redirects are written by whoever publishes
them, so a link to ``http://169.254.169.254/`` or ``http://localhost:8080/admin`` must
not make the monitor read an internal service into a database meant to be published.
The check is made where it cannot be fooled: ``GuardedBackend`` resolves the name
itself, checks every address, connects to a checked address and checks the socket's
peer, so neither a name resolving to an internal address nor one that changes its
answer between a check and the connection gets through.

URLs from the configuration, and URLs on a configured source's own origin, do not
pass through here (``fetch.Fetcher`` decides); an ``allow_internal`` list in the
settings or in a source names the internal hosts and networks the user chose.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Special-purpose ranges that Python 3.11's ``is_global`` still calls global.
_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in (
    "192.0.0.0/24",     # IETF protocol assignments
    "192.88.99.0/24",   # 6to4 relay anycast (deprecated)
    "fec0::/10",        # site-local (deprecated)
    "64:ff9b:1::/48",   # local-use NAT64
    "3fff::/20",        # documentation (RFC 9637)
    "5f00::/16",        # SRv6 segment identifiers
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
_IPV4_PART = {10: re.compile(r"[0-9]+"), 16: re.compile(r"[0-9a-f]*"), 8: re.compile(r"[0-7]+")}


#: How every refusal's message starts, so it is never retried nor blamed on robots.txt.
REFUSED = "refused: "


class AddressRefused(httpcore.ConnectError):
    """A connection the policy forbids; raised before any byte is sent."""


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), if any."""
    if ip.version == 4:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Publicly routable unicast: not loopback, private, link-local, unique-local, CGNAT,
    unspecified, multicast, broadcast, reserved, documentation, nor an IPv6 form of one."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        if not is_public(inner):
            return False
        if ip.ipv4_mapped or ip in _NAT64 or ip in _IPV4_COMPATIBLE:
            return True  # the packets go to the IPv4 address, public as checked
    return (ip.is_global and not ip.is_multicast and not ip.is_reserved
            and not any(ip in net for net in _NOT_GLOBAL if net.version == ip.version))


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any spelling resolvers accept (WHATWG URL host parsing):
    ``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``; None if ``host`` is not one."""
    parts = host.lower().split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        base = 10
        if part.startswith("0x"):
            part, base = part[2:], 16
        elif len(part) > 1 and part.startswith("0"):
            part, base = part[1:], 8
        if not _IPV4_PART[base].fullmatch(part):
            return None
        numbers.append(int(part or "0", base))
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    return ipaddress.IPv4Address(sum(n << 8 * (3 - i) for i, n in enumerate(leading)) + last)


def parse_address(host: str) -> IPAddress | None:
    """``host`` as an IP address literal (IPv6 with or without brackets), or None."""
    try:
        return ipaddress.IPv6Address(host.strip("[]"))
    except ValueError:
        return parse_ipv4(host)


def _normal_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


@dataclass(frozen=True)
class AddressPolicy:
    """Which non-public destinations the user allows, on top of every public address."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries) -> "AddressPolicy":
        """From ``allow_internal`` entries: host names, addresses or networks (CIDR).
        Raises ``ValueError`` naming the bad entry."""
        hosts, networks = set(), []
        for entry in entries:
            if not isinstance(entry, str) or not entry.strip():
                raise ValueError(f"'allow_internal' entries must be host names or networks, "
                                 f"not {entry!r}")
            try:
                networks.append(ipaddress.ip_network(entry.strip()))
                continue
            except ValueError as exc:
                if parse_address(entry.strip().split("/")[0]) is not None:
                    raise ValueError(f"'allow_internal': {exc}") from exc
            host = _normal_host(entry)
            if not _HOST_NAME.fullmatch(host):
                raise ValueError(f"'allow_internal' entries must be host names (like "
                                 f"intranet.example.org) or networks (like 10.1.0.0/16), "
                                 f"not {entry!r}")
            hosts.add(host)
        return cls(frozenset(hosts), tuple(networks))

    def address_refusal(self, ip: IPAddress, host: str) -> str | None:
        """Why connecting to ``ip`` (for ``host``) is refused, or None."""
        if is_public(ip) or any(ip in net for net in self.networks):
            return None
        try:
            literal = ipaddress.ip_address(host.strip("[]")) == ip
        except ValueError:
            literal = False
        if literal:
            return f"{REFUSED}{host.strip('[]')} is not a public address"
        return f"{REFUSED}{host} is {ip}, not a public address"

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``, each checked;
        raises ``AddressRefused`` if any is refused (a name is all its addresses),
        ``socket.gaierror`` if the name does not resolve. An allowed host name
        gives ``[]``: connect to it by name."""
        name = _normal_host(host)
        if name in self.hosts:
            return []
        if name == "localhost" or name.endswith(".localhost"):
            raise AddressRefused(f"{REFUSED}{host} is not a public address")
        literal = parse_address(name)
        if literal is not None:
            found = [str(literal)]
        else:
            found = [sockaddr[0] for *_, sockaddr
                     in socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)]
        for address in found:
            refusal = self.address_refusal(ipaddress.ip_address(address), host)
            if refusal:
                raise AddressRefused(refusal)
        return found

    def url_refusal(self, url: str) -> str | None:
        """Check ``url``'s host before any request (robots.txt included), or None if it
        may be tried; the connection is checked again, this is for a clear early answer."""
        try:
            parsed = httpx.URL(url)
            self.resolve(parsed.raw_host.decode("ascii"),
                         parsed.port or (443 if parsed.scheme == "https" else 80))
        except AddressRefused as exc:
            return str(exc)
        except (OSError, UnicodeError):
            return None  # unresolvable: the connection attempt reports it
        except httpx.InvalidURL as exc:
            return f"invalid URL: {exc}"
        return None


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only where ``policy`` allows."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            found = self.policy.resolve(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: "
                                        f"{getattr(exc, 'strerror', None) or exc}") from exc
        if not found:  # a host the user allows by name
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        error: Exception | None = None
        for address in found:
            try:
                stream = super().connect_tcp(address, port, timeout, local_address,
                                             socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            peer = ipaddress.ip_address(stream.get_extra_info("server_addr")[0])
            refusal = self.policy.address_refusal(peer, host)
            if refusal:
                stream.close()
                raise AddressRefused(refusal)
            return stream
        raise error


def guarded_transport(policy: AddressPolicy, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through ``GuardedBackend``.

    httpx takes no network backend, so its connection pool is replaced by one that
    uses ours; certificates are still verified against the URL's host name.
    """
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(policy),
    )
    return transport
