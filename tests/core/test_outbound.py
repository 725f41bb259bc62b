"""core.outbound, the one outbound HTTP client: which addresses it refuses (IPv4, IPv6 and the
IPv6 forms that carry an IPv4 address), the operator's allow-list, and real requests to
receivers on loopback: refused by default, sent when allowed, to the address that was checked
(DNS rebinding), with TLS verified for the host name, no redirects, capped size and time."""

import datetime
import ipaddress
import socket
import ssl
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core import outbound
from core.outbound import AllowList, OutboundError, OutboundRefused, classify
from tests.webhooks.receivers import Receiver, huge_body, redirect_to, stall, trickle

LOOPBACK = AllowList.parse(["127.0.0.1/32"])

# --- The classifier -----------------------------------------------------------------------

REFUSED = [
    ("127.0.0.1", "a loopback address"),
    ("127.255.255.254", "a loopback address"),
    ("10.0.0.1", "a private address"),
    ("172.16.0.1", "a private address"),
    ("172.31.255.255", "a private address"),
    ("192.168.1.1", "a private address"),
    ("100.64.0.1", "a private address (carrier-grade NAT)"),
    ("100.100.100.200", "a private address (carrier-grade NAT)"),  # Alibaba's metadata
    ("169.254.169.254", "a link-local address (cloud metadata service)"),
    ("169.254.1.1", "a link-local address"),
    ("168.63.129.16", "a cloud metadata address"),
    ("224.0.0.1", "a multicast address"),
    ("239.255.255.250", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("255.255.255.255", "a broadcast address"),
    ("0.0.0.0", "an unspecified address"),
    ("0.1.2.3", "a reserved address (this network)"),
    ("192.0.0.8", "a reserved address (IETF protocol assignments)"),
    ("192.88.99.1", "a reserved address (6to4 relay)"),
    ("192.0.2.1", "a documentation address"),
    ("198.51.100.1", "a documentation address"),
    ("203.0.113.1", "a documentation address"),
    ("198.18.0.1", "a benchmarking address"),
    ("198.19.255.255", "a benchmarking address"),
    ("::1", "a loopback address"),
    ("::", "an unspecified address"),
    ("fe80::1", "a link-local address"),
    ("febf:ffff::1", "a link-local address"),
    ("fec0::1", "a site-local address"),
    ("fc00::1", "a unique-local address"),
    ("fd00:ec2::254", "a unique-local address"),  # AWS's metadata over IPv6
    ("ff02::1", "a multicast address"),
    ("2001:db8::1", "a documentation address"),
    ("3fff::1", "a documentation address"),
    ("2001:2::1", "a benchmarking address"),
    ("2001::1", "a reserved address (IETF protocol assignments)"),
    ("100::1", "a reserved address (discard-only)"),
    ("64:ff9b:1::1", "a reserved address (local-use NAT64)"),
    ("1::1", "a reserved address"),  # outside global unicast 2000::/3
    ("4000::1", "a reserved address"),
    # IPv6 forms of forbidden IPv4 addresses
    ("::ffff:127.0.0.1", "a loopback address in IPv4-mapped form (127.0.0.1)"),
    ("::ffff:10.0.0.1", "a private address in IPv4-mapped form (10.0.0.1)"),
    (
        "::ffff:169.254.169.254",
        "a link-local address (cloud metadata service) in IPv4-mapped form (169.254.169.254)",
    ),
    ("::127.0.0.1", "a loopback address in IPv4-compatible form (127.0.0.1)"),
    ("::ffff:0:127.0.0.1", "a loopback address in IPv4-translated form (127.0.0.1)"),
    ("64:ff9b::7f00:1", "a loopback address in NAT64 form (127.0.0.1)"),
    (
        "64:ff9b::a9fe:a9fe",
        "a link-local address (cloud metadata service) in NAT64 form (169.254.169.254)",
    ),
    ("2002:7f00:1::1", "a loopback address in 6to4 form (127.0.0.1)"),
    ("2002:c0a8:101::", "a private address in 6to4 form (192.168.1.1)"),
    ("::8.8.8.8", "a reserved address (IPv4-compatible, deprecated)"),
    ("fe80::1%eth0", "a link-local address"),
]

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "100.63.255.255",  # just below carrier-grade NAT
    "100.128.0.0",  # just above it
    "172.32.0.1",  # just above 172.16/12
    "169.253.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "phrase"), REFUSED)
def test_forbidden_ranges_are_named(address, phrase):
    assert classify(address) == phrase


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert classify(address) is None


# --- URLs and the allow-list --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("ftp://hooks.example/x", "only http and https URLs are allowed"),
        ("file:///etc/passwd", "only http and https URLs are allowed"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "only http and https URLs are allowed"),
        ("http://user:secret@hooks.example/x", "URLs with a user name or password"),
        ("http://hooks.example@127.0.0.1/x", "URLs with a user name or password"),
        ("http:///no-host", "the URL has no host"),
        ("http://hooks.example:99999/", "the URL is not valid"),
        ("http://hooks.example/a b", "spaces or control characters"),
        ("http://hooks.example/\r\nX-Injected: 1", "spaces or control characters"),
    ],
)
def test_urls_other_than_plain_http_and_https_are_refused(url, detail):
    with pytest.raises(OutboundRefused, match=detail):
        outbound.request("GET", url, allowed=AllowList())


def test_allow_list_entries_are_normalized_or_refused_with_a_reason():
    assert outbound.validate_allow_list(
        ["10.0.0.0/8", " 192.168.1.20 ", "fd00::/8", "CRM.Internal.", "10.0.0.0/8"]
    ) == ["10.0.0.0/8", "192.168.1.20/32", "fd00::/8", "crm.internal"]
    for entry, reason in [
        ("10.0.0.1/8", "did you mean 10.0.0.0/8?"),
        ("0.0.0.0/0", "too broad"),
        ("::/0", "too broad"),
        ("8000::/1", "too broad"),
        ("10.0.0", "is not a network"),
        ("10.0.0.0/33", "is not a network"),
        ("not a host", "is not a network"),
        ("-bad-.example", "is not a network"),
        ("host.123", "cannot end in a number"),
    ]:
        with pytest.raises(ValueError, match=reason):
            outbound.validate_allow_list([entry])


def test_an_allow_list_permits_its_networks_and_hosts_only():
    allowed = AllowList.parse(["10.1.0.0/16", "127.0.0.1", "crm.internal"])
    ip = ipaddress.ip_address
    assert allowed.permits("x.example", ip("10.1.2.3"))
    assert allowed.permits("x.example", ip("::ffff:127.0.0.1"))  # the mapped form too
    assert not allowed.permits("x.example", ip("10.2.0.1"))
    assert not allowed.permits("x.example", ip("127.0.0.2"))
    assert allowed.permits("crm.internal", ip("192.168.7.7"))


def test_a_bad_global_setting_is_a_system_check_error(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.0.0.1/8"]
    (error,) = outbound.check_allowed_networks_setting()
    assert error.id == "core.E101" and "did you mean 10.0.0.0/8" in error.msg
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert outbound.check_allowed_networks_setting() == []


# --- Real requests ------------------------------------------------------------------------


@pytest.fixture
def start():
    made = []

    def start(*args, **kwargs) -> Receiver:
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield start
    for receiver in made:
        receiver.close()


def send(url, **options):
    return outbound.post(url, body=b'{"hello": 1}', headers={"X-Test": "1"}, **options)


@pytest.mark.django_db  # the current tenant's allow-list is read too
def test_loopback_is_refused_by_default_and_nothing_is_sent(start, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    receiver = start()
    with pytest.raises(OutboundRefused) as refused:
        send(receiver.url)
    assert refused.value.reason == "refused: 127.0.0.1 is a loopback address"
    for name, reason in [
        ("localhost", "refused: localhost resolves to a loopback address"),
        ("127.1", "refused: 127.1 resolves to a loopback address"),
        ("2130706433", "refused: 2130706433 resolves to a loopback address"),
        ("[::ffff:127.0.0.1]", "a loopback address in IPv4-mapped form (127.0.0.1)"),
    ]:
        with pytest.raises(OutboundRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
            send(receiver.url_for(name))
    assert receiver.received == []


def test_ipv6_loopback_is_refused(start):
    receiver = start(host="::1")
    with pytest.raises(OutboundRefused, match=r"refused: ::1 is a loopback address"):
        send(receiver.url, allowed=LOOPBACK)
    assert receiver.received == []


def test_metadata_and_private_addresses_are_refused_before_connecting():
    for url, reason in [
        ("http://169.254.169.254/latest/meta-data/", "a link-local address (cloud metadata"),
        ("http://[fd00:ec2::254]/latest/", "a unique-local address"),
        ("http://[::ffff:a9fe:a9fe]/", "in IPv4-mapped form (169.254.169.254)"),
        ("http://10.0.0.1:8080/", "10.0.0.1 is a private address"),
        ("https://[fe80::1]/", "fe80::1 is a link-local address"),
    ]:
        started = time.monotonic()
        with pytest.raises(OutboundRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
            send(url, allowed=AllowList())
        assert time.monotonic() - started < 0.5  # refused, not tried


@pytest.mark.django_db
def test_an_allowed_receiver_gets_the_request_with_its_host_name(start, settings):
    receiver = start()
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    response = send(receiver.url_for("localhost"))
    assert (response.status, response.body, response.address) == (200, b"ok", "127.0.0.1")
    ((headers, body),) = receiver.received
    assert headers["Host"] == f"localhost:{receiver.port}" and body == b'{"hello": 1}'
    assert headers["X-Test"] == "1"
    # Allowing one address allows no other.
    other = start(host="127.0.0.2")
    with pytest.raises(OutboundRefused, match="127.0.0.2 is a loopback address"):
        send(other.url)
    assert other.received == []


def test_the_path_goes_out_as_typed_with_non_ascii_percent_encoded(start):
    receiver = start()
    send(receiver.url + "/über?q=ä&n=1#fragment", allowed=LOOPBACK)
    assert receiver.paths == ["/hooks/%C3%BCber?q=%C3%A4&n=1"]


def test_an_allowed_host_name_is_reached_at_what_it_resolves_to(start):
    receiver = start()
    send(receiver.url_for("localhost"), allowed=AllowList.parse(["localhost"]))
    assert len(receiver.received) == 1
    with pytest.raises(OutboundRefused):  # the name is allowed, not its address
        send(receiver.url, allowed=AllowList.parse(["localhost"]))


def test_dns_rebinding_cannot_move_the_connection_after_the_check(start, monkeypatch):
    """rebind.test answers 127.0.0.1 (allowed) at the check and 127.0.0.2 (forbidden, where
    something secret listens on the same port) to every later lookup: the request still goes
    to 127.0.0.1, because the client connects to the address it checked."""
    allowed_side = start()
    secret_side = start(host="127.0.0.2", port=allowed_side.port)
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        answer = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    response = send(allowed_side.url_for("rebind.test"), allowed=LOOPBACK)
    assert response.status == 200 and response.address == "127.0.0.1"
    assert lookups == ["rebind.test"]  # resolved once
    ((headers, _body),) = allowed_side.received
    assert headers["Host"] == f"rebind.test:{allowed_side.port}"
    assert allowed_side.arrivals == ["127.0.0.1"] and secret_side.received == []
    # The other way round: a first answer that is forbidden is refused outright.
    lookups.clear()
    lookups.append("pretend the first lookup happened")
    with pytest.raises(OutboundRefused, match="rebind.test resolves to a loopback address"):
        send(allowed_side.url_for("rebind.test"), allowed=LOOPBACK)
    assert secret_side.received == []


def test_redirects_are_returned_not_followed(start):
    forbidden = start(host="127.0.0.2")
    redirecting = start(respond=redirect_to(forbidden.url, status=307))
    response = send(redirecting.url, allowed=LOOPBACK)
    assert response.status == 307 and response.header("Location") == forbidden.url
    assert len(redirecting.received) == 1 and forbidden.received == []


def test_the_answer_is_capped(start):
    receiver = start(respond=huge_body(20 * 1024 * 1024))
    started = time.monotonic()
    response = send(receiver.url, allowed=LOOPBACK)
    assert len(response.body) == outbound.MAX_RESPONSE_BYTES == 64 * 1024
    assert response.truncated and time.monotonic() - started < 5
    small = send(receiver.url, allowed=LOOPBACK, max_bytes=100)
    assert len(small.body) == 100 and small.truncated


def test_a_silent_receiver_times_out(start):
    receiver = start(respond=stall(3))
    started = time.monotonic()
    with pytest.raises(OutboundError) as failed:
        send(receiver.url, allowed=LOOPBACK, timeout=1)
    assert failed.value.reason == "timed out after 1 s"
    assert time.monotonic() - started < 2


def test_a_trickling_receiver_times_out_in_total(start):
    """One byte every 0.2 s never trips a per-read timeout; the total limit still holds."""
    receiver = start(respond=trickle(0.2))
    started = time.monotonic()
    with pytest.raises(OutboundError, match="timed out after 1.5 s"):
        send(receiver.url, allowed=LOOPBACK, timeout=1.5)
    assert time.monotonic() - started < 2.5


def test_nothing_listening_is_a_short_reason():
    with pytest.raises(OutboundError) as failed:
        send("http://127.0.0.1:9/", allowed=LOOPBACK)
    assert failed.value.reason == "connection refused"
    assert not isinstance(failed.value, OutboundRefused)


def test_environment_proxies_and_cookies_are_never_used(start, monkeypatch):
    receiver, proxy = start(), start()
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    outbound.post(
        receiver.url, body=b"{}", headers={"Cookie": "session=1", "Host": "evil"}, allowed=LOOPBACK
    )
    ((headers, _body),) = receiver.received
    assert proxy.received == []
    assert "Cookie" not in headers and headers["Host"] == f"127.0.0.1:{receiver.port}"


# --- TLS: the certificate is verified for the URL's host name, sent as SNI -----------------


def _certificate(name: str, issuer_key=None, issuer_name=None, *, ca: bool = False):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
        )
    return key, builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    """A throwaway CA, and server contexts for names it signs."""
    directory = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = _certificate("Test CA", ca=True)
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)

    def server_context(name: str) -> ssl.SSLContext:
        key, cert = _certificate(name, ca_key, ca_cert.subject)
        chain = directory / f"{name}.pem"
        chain.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        context.server_names = []
        context.sni_callback = lambda sock, server_name, ctx: ctx.server_names.append(server_name)
        return context

    client = ssl.create_default_context(cadata=ca_pem.decode())
    return server_context, client


def test_https_sends_the_host_name_as_sni_and_verifies_it(start, authority):
    server_context, client_context = authority
    receiver = start(tls=server_context("localhost"))
    options = {"allowed": LOOPBACK, "tls_context": client_context}
    response = send(receiver.url_for("localhost"), **options)
    assert response.status == 200 and response.address == "127.0.0.1"
    assert receiver.server.socket.context.server_names == ["localhost"]

    impostor = start(tls=server_context("someone-else.example"))
    with pytest.raises(OutboundError, match="TLS certificate not valid for localhost"):
        send(impostor.url_for("localhost"), **options)
    assert impostor.received == []
    with pytest.raises(OutboundError, match="TLS certificate not valid"):  # unknown issuer
        send(receiver.url_for("localhost"), allowed=LOOPBACK)
