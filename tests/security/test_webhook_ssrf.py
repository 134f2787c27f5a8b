"""Webhook SSRF (issue 17): a client's webhook URL must not reach into the agency's network.

The host is resolved once and every address checked (IPv4 and IPv6: private, loopback,
link-local with the cloud metadata service, unique-local, IPv4-mapped, unspecified,
multicast, reserved); the connection goes to the checked address, never to a second
resolution (DNS rebinding); redirects are not followed; and the delivery log shows the client
only success, failure and the HTTP status.

Name resolution is the operating system's: `socket.getaddrinfo` is replaced by a table of
test names (numeric addresses and every other name still go to the real one), and
`socket.create_connection` is watched to see where a connection goes."""

import datetime
import http.server
import socket
import ssl
import threading

import pytest
from django.utils import timezone

from agency.errors import ValidationFailed
from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from clients.models import WebhookDelivery
from clients.webhook_services import webhook_deliver, webhook_emit, webhook_endpoint_create
from tests.factories import UserFactory
from tests.http_receiver import start_receiver

pytestmark = pytest.mark.django_db

PRIVATE = "地址指向内部网络 / The host resolves to a private or local address"
PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"

_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


class FakeDNS:
    """Answers for test names: a list of addresses, or a list of such lists given out one
    per lookup (the last one repeats), as a rebinding name server would."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def set(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return _real_getaddrinfo(host, port, family, type, proto, flags)
        self.lookups.append(name)
        queue = self.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        result = []
        for address in addresses:
            if ":" in address:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                               (address, port or 0, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                               (address, port or 0)))
        return result


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def connections(monkeypatch):
    """Where each TCP connection goes; the public test addresses answer 'refused' (the
    tests use no network), everything else connects for real."""
    made: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        made.append((address[0], address[1]))
        if address[0] in (PUBLIC_V4, PUBLIC_V6):
            raise ConnectionRefusedError(111, "Connection refused")
        return _real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return made


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    rec, server = start_receiver()
    yield rec
    server.shutdown()


def _refused(company, url: str) -> tuple[str, str, str]:
    with pytest.raises(ValidationFailed) as info:
        webhook_endpoint_create(client=company, url=url)
    [detail] = info.value.details
    return detail.field, detail.code, detail.message


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1/hook",  # short and numeric spellings the resolver expands
        "https://2130706433/hook",
        "https://0x7f000001/hook",
        "https://localhost/hook",
        "https://0.0.0.0/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://224.0.0.1/hook",  # multicast
        "https://240.0.0.1/hook",  # reserved
        "https://255.255.255.255/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "https://[::ffff:169.254.169.254]/hook",
        "https://[::127.0.0.1]/hook",  # IPv4-compatible
        "https://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata address
        "https://[fd00:ec2::254]/hook",  # unique local (the IPv6 metadata service)
        "https://[fc00::1]/hook",
        "https://[fe80::1]/hook",  # link-local
        "https://[ff02::1]/hook",  # multicast
    ],
)
def test_addresses_inside_or_outside_the_public_internet_are_refused(client_company, url):
    assert _refused(client_company, url) == ("url", "url_invalid", PRIVATE)


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fd00::5"],
        [PUBLIC_V4, "10.0.0.7"],  # one private address among public ones is enough
        [PUBLIC_V6, "::ffff:10.0.0.7"],
    ],
)
def test_a_name_that_resolves_inside_is_refused(client_company, dns, addresses):
    dns.set("hooks.example.test", addresses)

    assert _refused(client_company, "https://hooks.example.test/in") == (
        "url", "url_invalid", PRIVATE)


def test_a_name_with_public_addresses_only_is_accepted(client_company, dns):
    dns.set("hooks.example.test", [PUBLIC_V6, PUBLIC_V4])

    endpoint = webhook_endpoint_create(client=client_company, url="https://hooks.example.test/")

    assert endpoint.url == "https://hooks.example.test/"


def test_an_internationalised_name_is_checked_as_dns_spells_it(client_company, dns):
    dns.set("xn--fiqs8s.example.test", ["10.0.0.1"])

    assert _refused(client_company, "https://中国.example.test/in") == (
        "url", "url_invalid", PRIVATE)


def test_a_name_that_now_resolves_to_loopback_gets_no_connection(client_company, dns,
                                                                 connections):
    dns.set("hooks.example.test", [PUBLIC_V4])
    webhook_endpoint_create(client=client_company, url="https://hooks.example.test/in")
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})
    dns.set("hooks.example.test", ["127.0.0.1"])

    assert webhook_deliver(delivery_id=delivery.pk) == 30

    assert connections == []
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error) == (None, PRIVATE)


def test_dns_rebinding_connects_to_the_checked_address(client_company, dns, connections):
    """The first answer is public, every later one loopback: the connection must go to the
    address that was checked, not to a second resolution of the name."""
    dns.set("hooks.example.test", [PUBLIC_V4])
    webhook_endpoint_create(client=client_company, url="https://hooks.example.test:8443/in")
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})
    dns.set("hooks.example.test", [PUBLIC_V4], ["127.0.0.1"])
    dns.lookups.clear()

    webhook_deliver(delivery_id=delivery.pk)

    assert dns.lookups == ["hooks.example.test"]
    assert connections == [(PUBLIC_V4, 8443)]
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error) == (None, "[Errno 111] Connection refused")


def test_the_checked_address_is_used_while_the_host_header_names_the_host(
    client_company, dns, connections, receiver, settings
):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["hooks.example.test"]  # the local demo's exception
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    dns.set("hooks.example.test", ["127.0.0.1"])
    webhook_endpoint_create(client=client_company, url=f"http://hooks.example.test:{port}/in")
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})
    dns.set("hooks.example.test", ["127.0.0.1"], [PUBLIC_V4])

    assert webhook_deliver(delivery_id=delivery.pk) is None

    got = receiver.requests.get(timeout=5)
    assert (got.method, got.path, got.headers["Host"]) == (
        "POST", "/in", f"hooks.example.test:{port}")
    assert connections == [("127.0.0.1", port)]


def _self_signed(tmp_path, name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_https_goes_to_the_checked_address_with_the_certificate_checked_for_the_name(
    client_company, dns, connections, settings, tmp_path, monkeypatch
):
    """A real TLS server on loopback: the name is pinned to 127.0.0.1 (allowed here as the
    demo's exception); SNI and the certificate check use the name."""
    cert_file, key_file = _self_signed(tmp_path, "hooks.example.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # trust the test's own certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    names: list[str | None] = []
    tls.sni_callback = lambda sock, name, ctx: names.append(name)
    hosts: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            """Quiet."""

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["hooks.example.test"]
        dns.set("hooks.example.test", ["127.0.0.1"])
        webhook_endpoint_create(client=client_company, url=f"https://hooks.example.test:{port}/")
        [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})

        assert webhook_deliver(delivery_id=delivery.pk) is None
    finally:
        server.shutdown()

    assert (names, hosts) == (["hooks.example.test"], [f"hooks.example.test:{port}"])
    assert connections == [("127.0.0.1", port)]
    delivery.refresh_from_db()
    assert (delivery.status, [a.status_code for a in delivery.attempt_log.all()]) == (
        "succeeded", [204])


def test_a_redirect_is_not_followed(client_company, receiver):
    """The client's receiver answers 302 towards an internal address: nothing is sent
    there (urllib would have turned the POST into a GET to it), the attempt failed."""
    inside, inside_server = start_receiver()
    try:
        inside_port = inside.url.rsplit(":", 1)[1].split("/")[0]
        receiver.statuses.append(302)
        receiver.headers["Location"] = f"http://localhost:{inside_port}/admin/"
        webhook_endpoint_create(client=client_company, url=receiver.url)
        [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})

        assert webhook_deliver(delivery_id=delivery.pk) == 30
    finally:
        inside_server.shutdown()

    assert inside.requests.qsize() == 0
    assert receiver.requests.qsize() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    assert [(a.status_code, a.error) for a in delivery.attempt_log.all()] == [(302, "")]


@pytest.fixture
def failed_deliveries(client_company, settings, receiver):
    """One attempt answered 500, one that met a closed port (an error text)."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    answered = webhook_endpoint_create(client=client_company, url=receiver.url)
    refused = webhook_endpoint_create(client=client_company, url=f"http://127.0.0.1:{port}/h")
    receiver.statuses.append(500)
    deliveries = webhook_emit(client_id=client_company.pk, event="bill.issued", data={"bill": 1})
    for delivery in deliveries:
        webhook_deliver(delivery_id=delivery.pk)
    return answered, refused


def _attempts(response) -> list[dict]:
    assert response.status_code == 200
    [delivery] = response.json()["results"]
    return delivery["attempt_log"]


@pytest.mark.parametrize("caller", ["portal", "api_key"])
def test_the_client_sees_only_success_failure_and_status(api_client, client_company,
                                                        failed_deliveries, caller):
    answered, refused = failed_deliveries
    if caller == "portal":
        api_client.force_authenticate(UserFactory(role=Role.CLIENT_VIEWER, client=client_company))
    else:
        api_client.force_authenticate(ApiKeyPrincipal(client_id=client_company.pk, api_key_id=1))

    seen_answered = _attempts(api_client.get(f"/api/v1/webhooks/{answered.pk}/deliveries/"))
    response = api_client.get(f"/api/v1/webhooks/{refused.pk}/deliveries/")
    seen_refused = _attempts(response)

    assert "Errno" not in response.content.decode()
    assert "refused" not in response.content.decode().lower()
    assert [sorted(a) for a in seen_answered + seen_refused] == [
        ["at", "status_code", "succeeded"]] * 2
    assert [(a["succeeded"], a["status_code"]) for a in seen_answered] == [(False, 500)]
    assert [(a["succeeded"], a["status_code"]) for a in seen_refused] == [(False, None)]


def test_staff_see_the_error_text(api_client, staff_user, failed_deliveries):
    _, refused = failed_deliveries
    api_client.force_authenticate(staff_user(Role.MANAGER))

    [attempt] = _attempts(api_client.get(f"/api/v1/webhooks/{refused.pk}/deliveries/"))

    assert (attempt["succeeded"], attempt["status_code"], attempt["error"]) == (
        False, None, "[Errno 111] Connection refused")


def test_the_sweep_time_does_not_matter_for_the_check(client_company, dns, connections):
    """A retry made later resolves again and checks again (the name may have moved)."""
    dns.set("hooks.example.test", [PUBLIC_V4])
    webhook_endpoint_create(client=client_company, url="https://hooks.example.test/in")
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})
    t0 = timezone.now()
    webhook_deliver(delivery_id=delivery.pk, now=t0)
    dns.set("hooks.example.test", ["169.254.169.254"])

    webhook_deliver(delivery_id=delivery.pk, now=t0 + datetime.timedelta(seconds=30))

    assert connections == [(PUBLIC_V4, 443)]
    assert [(a.status_code, a.error) for a in delivery.attempt_log.all()] == [
        (None, "[Errno 111] Connection refused"), (None, PRIVATE)]
