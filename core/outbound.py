"""Outbound HTTP that cannot be turned against the inside (SSRF): every request the product
makes to an address a tenant typed (webhook deliveries today) goes through ``request``.

What it does, in order:

* parses the URL: http or https only, no user name or password, a valid host and port;
* resolves the host once (within the time limit) and picks the first address that is public,
  or that the operator allowed; loopback, private (RFC 1918, carrier-grade NAT), link-local
  (cloud metadata included), multicast, reserved, unspecified, broadcast, documentation and
  benchmarking ranges, IPv6 unique-local and site-local, and the IPv4-mapped, -compatible,
  -translated, 6to4 and NAT64 forms of any of those are refused (``classify``);
* connects to exactly that address (no second lookup, so DNS rebinding between the check and
  the connection cannot happen), sending the URL's host in ``Host`` and, for https, as TLS
  SNI with the certificate verified for that host name;
* follows no redirects (a 3xx is the answer), reads at most ``max_bytes`` of the body and
  gives up after ``timeout`` seconds in total, whatever the server does;
* never uses the environment's proxies and never sends cookies.

Errors are ``OutboundError`` (``OutboundRefused`` when nothing was sent) with a short
``reason`` fit for a delivery log: "refused: 127.0.0.1 is a loopback address", "timed out
after 10 s".

Internal receivers are an operator's decision: ``settings.OUTBOUND_ALLOWED_NETWORKS`` (for
every tenant) plus whatever the registered allow-list sources return for the current context
(the tenants app registers the current tenant's own list, which only the platform operator
edits). An entry is a network (``10.0.0.0/8``), an address, or a host name (whatever that
name resolves to is then allowed).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core import checks

TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class OutboundError(Exception):
    """No usable answer; ``reason`` is short and safe to show to the tenant."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OutboundRefused(OutboundError):
    """Refused before anything was sent: the URL, or the address it leads to."""

    def __init__(self, detail: str):
        super().__init__(f"refused: {detail}")
        self.detail = detail


# --- Which addresses are off limits -------------------------------------------------------

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Most specific first: the first match names the range.
FORBIDDEN_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (_V4(cidr), phrase)
    for cidr, phrase in (
        ("0.0.0.0/32", "an unspecified address"),
        ("0.0.0.0/8", "a reserved address (this network)"),
        ("10.0.0.0/8", "a private address"),
        ("100.64.0.0/10", "a private address (carrier-grade NAT)"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.169.254/32", "a link-local address (cloud metadata service)"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address"),
        ("192.0.0.0/24", "a reserved address (IETF protocol assignments)"),
        ("192.0.2.0/24", "a documentation address"),
        ("192.88.99.0/24", "a reserved address (6to4 relay)"),
        ("192.168.0.0/16", "a private address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("224.0.0.0/4", "a multicast address"),
        ("255.255.255.255/32", "a broadcast address"),
        ("240.0.0.0/4", "a reserved address"),
        # Azure's platform endpoint (wire server): a public-looking address only VMs reach.
        ("168.63.129.16/32", "a cloud metadata address"),
    )
)
FORBIDDEN_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple(
    (_V6(cidr), phrase)
    for cidr, phrase in (
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        ("64:ff9b:1::/48", "a reserved address (local-use NAT64)"),
        ("100::/64", "a reserved address (discard-only)"),
        ("2001:2::/48", "a benchmarking address"),
        ("2001:db8::/32", "a documentation address"),
        ("2001::/23", "a reserved address (IETF protocol assignments)"),
        ("3fff::/20", "a documentation address"),
        ("fc00::/7", "a unique-local address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)
GLOBAL_UNICAST_V6 = _V6("2000::/3")
_IPV4_COMPATIBLE = _V6("::/96")
_IPV4_TRANSLATED = _V6("::ffff:0:0:0/96")
_NAT64 = _V6("64:ff9b::/96")


def _embedded_v4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address carries (and the form), for the forms that reach it."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _IPV4_TRANSLATED:
        return low32, "IPv4-translated"
    if ip in _IPV4_COMPATIBLE:
        return low32, "IPv4-compatible"
    if ip in _NAT64:
        return low32, "NAT64"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    return None


def classify(address: str | IPAddress) -> str | None:
    """What makes ``address`` off limits ("a loopback address", …), or None if it is public."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if ip.version == 4:
        return next((phrase for network, phrase in FORBIDDEN_V4 if ip in network), None)
    ip = ipaddress.IPv6Address(int(ip))  # without a %zone
    if int(ip) <= 1:
        return "an unspecified address" if int(ip) == 0 else "a loopback address"
    embedded = _embedded_v4(ip)
    if embedded is not None:
        inner, form = embedded
        phrase = classify(inner)
        if phrase is not None:
            return f"{phrase} in {form} form ({inner})"
        if form in ("IPv4-compatible", "IPv4-translated"):
            return f"a reserved address ({form}, deprecated)"
        return None
    for network, phrase in FORBIDDEN_V6:
        if ip in network:
            return phrase
    if ip not in GLOBAL_UNICAST_V6:
        return "a reserved address"
    return None


# --- The operator's allow-list ------------------------------------------------------------

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_allow_entry(entry: str) -> str:
    """``entry`` in its canonical form (``10.0.0.0/8``, ``192.168.1.20/32``, a lower-case
    host name), or ValueError with a message saying what is wrong."""
    text = entry.strip()
    if not text:
        raise ValueError("Empty entries are not allowed.")
    example = "a network (10.0.0.0/8), an address (192.168.1.20) or a host name (hooks.internal)"
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as error:
        if "has host bits set" in str(error):
            suggestion = ipaddress.ip_network(text, strict=False)
            raise ValueError(
                f"“{text}” has bits set beyond its prefix length; did you mean {suggestion}?"
            ) from None
        if "/" in text or ":" in text or re.fullmatch(r"[0-9.]+", text):
            raise ValueError(f"“{text}” is not {example}.") from None
        network = None
    if network is not None:
        if network.prefixlen < (8 if network.version == 4 else 7):
            raise ValueError(
                f"“{text}” is too broad: allow only the networks your receivers are in."
            )
        return str(network)
    host = text.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"“{text}” is not {example}.") from None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"“{text}” is not {example}.")
    if labels[-1].isdigit():
        raise ValueError(f"“{text}” is not {example}: a host name cannot end in a number.")
    return host


def validate_allow_list(entries: Iterable[str]) -> list[str]:
    """Every entry normalized (duplicates dropped), or ValueError naming each bad one."""
    normalized, problems = [], []
    for entry in entries:
        try:
            value = normalize_allow_entry(entry)
        except ValueError as error:
            problems.append(str(error))
            continue
        if value not in normalized:
            normalized.append(value)
    if problems:
        raise ValueError(" ".join(problems))
    return normalized


@dataclass(frozen=True)
class AllowList:
    """Networks and host names the operator allowed even though they are not public."""

    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        networks, hosts = [], set()
        for entry in validate_allow_list(entries):
            try:
                networks.append(ipaddress.ip_network(entry))
            except ValueError:
                hosts.add(entry)
        return cls(tuple(networks), frozenset(hosts))

    def __or__(self, other: AllowList) -> AllowList:
        return AllowList(self.networks + other.networks, self.hosts | other.hosts)

    def permits(self, host: str, ip: IPAddress) -> bool:
        if host in self.hosts:
            return True
        if ip.version == 6:
            ip = ipaddress.IPv6Address(int(ip))
            mapped = ip.ipv4_mapped
            ip = mapped if mapped is not None else ip
        return any(ip in network for network in self.networks if network.version == ip.version)


AllowListSource = Callable[[], Iterable[str]]
_allow_list_sources: list[AllowListSource] = []


def register_allow_list_source(source: AllowListSource) -> None:
    """A higher app adds entries for the current context (tenants: the current tenant's)."""
    if source not in _allow_list_sources:
        _allow_list_sources.append(source)


def current_allow_list() -> AllowList:
    """The global setting plus every registered source, for the context we run in."""
    try:
        allowed = AllowList.parse(getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", ()))
        for source in _allow_list_sources:
            allowed |= AllowList.parse(source())
    except ValueError:
        raise OutboundRefused("the outbound allow-list has an invalid entry") from None
    return allowed


@checks.register()
def check_allowed_networks_setting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        validate_allow_list(getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", ()))
    except ValueError as error:
        return [checks.Error(f"OUTBOUND_ALLOWED_NETWORKS: {error}", id="core.E101")]
    return []


# --- URLs and addresses -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, IDNA-encoded, no brackets
    port: int
    path: str  # path and query, what goes on the request line
    literal: bool  # the host is an IP address


def parse_url(url: str) -> Target:
    if any(ord(char) <= 32 or ord(char) == 127 for char in url):
        raise OutboundRefused("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused("the URL is not valid") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundRefused("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise OutboundRefused("URLs with a user name or password are not allowed")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundRefused("the URL has no host")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise OutboundRefused("the URL's host is not a valid host name") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    path = quote(path, safe="!$%&'()*+,/:;=?@~")  # non-ASCII as UTF-8 %XX, as browsers do
    default_port = 443 if scheme == "https" else 80
    return Target(scheme, host, port or default_port, path, literal is not None)


Address = tuple[int, tuple, IPAddress]  # (family, sockaddr, ip) of the address chosen


def _getaddrinfo(host: str, port: int, deadline: float, timeout: float) -> list:
    """``socket.getaddrinfo`` within the time left (a stuck resolver is left behind)."""
    outcome: dict = {}

    def run():
        try:
            outcome["infos"] = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as error:
            outcome["error"] = error

    resolver = threading.Thread(target=run, daemon=True, name="outbound-resolve")
    resolver.start()
    resolver.join(max(0.0, deadline - time.monotonic()))
    if resolver.is_alive():
        raise OutboundError(f"timed out after {timeout:g} s")
    if "error" in outcome:
        raise OutboundError(f"could not resolve {host}")
    return outcome["infos"]


def choose_address(
    target: Target, allowed: AllowList, *, deadline: float, timeout: float
) -> Address:
    """Resolve once; the first address that is public or allowed, else OutboundRefused."""
    refusal = None
    for family, _type, _proto, _name, sockaddr in _getaddrinfo(
        target.host, target.port, deadline, timeout
    ):
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        phrase = classify(ip)
        if phrase is None or allowed.permits(target.host, ip):
            return family, sockaddr, ip
        refusal = refusal or phrase
    if refusal is None:
        raise OutboundError(f"could not resolve {target.host}")
    if target.literal:
        raise OutboundRefused(f"{target.host} is {refusal}")
    raise OutboundRefused(f"{target.host} resolves to {refusal}")


def check_url(url: str, *, allowed: AllowList | None = None) -> None:
    """Raise OutboundRefused if ``url`` is not one ``request`` would send to (for forms: a
    host that does not resolve today passes; sending checks again anyway)."""
    target = parse_url(url)
    allowed = current_allow_list() if allowed is None else allowed
    try:
        choose_address(target, allowed, deadline=time.monotonic() + 5, timeout=5)
    except OutboundRefused:
        raise
    except OutboundError:
        return


# --- Sending ------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked; ``host`` only names it (Host header)."""

    def __init__(self, host: str, port: int, *, address, deadline: float, **kwargs):
        super().__init__(host, port, **kwargs)
        self._family, self._sockaddr = address
        self._deadline = deadline
        self._socket = None  # ours to shut down even after http.client let go of it
        self.expired = False

    def connect(self):
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        sock.settimeout(max(0.05, min(self.timeout, self._deadline - time.monotonic())))
        try:
            sock.connect(self._sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            sock.close()
            raise
        sock.settimeout(self.timeout)
        self.sock = self._socket = sock

    def expire(self):
        """The total time is up: unblock whatever read or write is waiting."""
        self.expired = True
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):  # the OS socket's shutdown, TLS or not
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host, port, *, context: ssl.SSLContext | None = None, **kwargs):
        super().__init__(host, port, **kwargs)
        self._context = context or ssl.create_default_context()

    def connect(self):
        super().connect()
        self.sock = self._socket = self._context.wrap_socket(self.sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes  # at most max_bytes
    truncated: bool  # the server had more to say
    address: str  # the IP address we connected to

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def _failure(error: BaseException, target: Target) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid for {target.host} ({error.verify_message})"
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({error.reason or 'handshake failed'})"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.RemoteDisconnected | ConnectionResetError):
        return "connection closed without an answer"
    if isinstance(error, http.client.HTTPException):
        return "not a valid HTTP answer"
    if isinstance(error, OSError):
        return f"connection failed ({error.strerror or type(error).__name__})"
    return "the request could not be sent (invalid header or path)"


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_RESPONSE_BYTES,
    allowed: AllowList | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Response:
    """Send one request as the module docstring says; a 3xx is returned, not followed."""
    started = time.monotonic()
    deadline = started + timeout
    target = parse_url(url)
    allowed = current_allow_list() if allowed is None else allowed
    family, sockaddr, ip = choose_address(target, allowed, deadline=deadline, timeout=timeout)
    options = {"address": (family, sockaddr), "deadline": deadline, "timeout": timeout}
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.host, target.port, context=tls_context, **options
        )
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, **options)
    sent = {k: v for k, v in (headers or {}).items() if k.lower() not in ("host", "cookie")}
    sent["Connection"] = "close"
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), connection.expire)
    timer.daemon = True
    timer.start()
    try:
        connection.request(method, target.path, body=body, headers=sent)
        answer = connection.getresponse()
        data = answer.read(max_bytes + 1)
        result = Response(
            status=answer.status,
            reason=answer.reason,
            headers=answer.getheaders(),
            body=data[:max_bytes],
            truncated=len(data) > max_bytes,
            address=str(ip),
        )
    except (OSError, http.client.HTTPException, ValueError) as error:
        if connection.expired or isinstance(error, TimeoutError):
            raise OutboundError(f"timed out after {timeout:g} s") from None
        raise OutboundError(_failure(error, target)) from None
    finally:
        timer.cancel()
        connection.close()
    if connection.expired:
        raise OutboundError(f"timed out after {timeout:g} s")
    return result


def post(url: str, *, body: bytes, headers: Mapping[str, str] | None = None, **options):
    return request("POST", url, body=body, headers=headers, **options)
