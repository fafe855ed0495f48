"""HTTP to other servers, guarded against SSRF: https only, to public addresses only (no
loopback, private, link-local, multicast or reserved address, each resolved address
checked, and the connection made to the address checked, so a DNS answer cannot change
between the check and the connection); no redirects; a timeout on connecting and on each
read; a cap on the body read. FEDERATION_ALLOW_PRIVATE (for tests only) lifts the first
two rules."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from .base import MAX_DOCUMENT, allow_private, timeout

USER_AGENT = "ArtProtestGallery (ActivityPub; publish only)"


class Refused(Exception):
    """An address the gallery will not reach, or an answer it will not read."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query

    @property
    def netloc(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


def target(url: str) -> Target:
    """The parts of a URL the gallery may fetch or post to; Refused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("malformed URL") from None
    schemes = ("https", "http") if allow_private() else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise Refused("not an https URL of a host")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path
    )


def _address(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused("the host name does not resolve") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused("the host name does not resolve")
    if not allow_private():
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast:
                raise Refused("the host resolves to an address that is not public")
    return addresses[0]


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, seconds: float) -> None:
        super().__init__(host, port, timeout=seconds)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, seconds: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=seconds, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def request(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None = None,
    *,
    limit: int = MAX_DOCUMENT,
) -> Answer:
    """One request; Refused for an address not allowed or a body over `limit`; OSError (and
    http.client's errors, which are OSError's kin) when the other server fails."""
    where = target(url)
    address = _address(where.host, where.port)
    kind = _TLSConnection if where.scheme == "https" else _Connection
    conn = kind(where.host, where.port, address, timeout())
    try:
        conn.request(method, where.path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = conn.getresponse()
        data = response.read(limit + 1)
        if len(data) > limit:
            raise Refused("the answer is too large")
        return Answer(response.status, response.getheader("Content-Type") or "", data)
    finally:
        conn.close()
