"""One HTTP GET that does not trust the server: every download of sitegen goes through here.

`fetch` (search-API pages) and `bundle --with-assets` (images, attachments) talk to servers
sitegen does not control. A server may send an endless body, trickle one byte at a time,
claim a 2 GB Content-Length, or redirect to another host (or to 127.0.0.1, the cloud's
metadata address, the user's router). So a download
- goes only where its `Policy` allows, checked again on every redirect hop: the configured
  origin, or a host on the allow-list that resolves to public addresses only (and the
  connection is made to the very address that was checked, so a second DNS answer cannot
  swap in a private one);
- reads the body in chunks and stops past `Limits.max_bytes`;
- ends at `Limits.deadline` seconds after it started, whatever the server does: a timer shuts
  the socket down, since a per-read timeout never fires on a trickle.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from urllib.parse import urljoin, urlsplit

CHUNK = 65536
REDIRECTS = (301, 302, 303, 307, 308)
DEFAULT_PORTS = {"http": 80, "https": 443}


class DownloadError(OSError):
    """The download failed; `retry` says whether asking again may help."""

    retry = True


class Refused(DownloadError):
    """The URL (or a redirect hop) is not one this download may go to."""

    retry = False


class TooLarge(DownloadError):
    retry = False


class HTTPStatusError(DownloadError):
    def __init__(self, status: int, reason: str, retry_after: str | None):
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status, self.retry_after = status, retry_after
        self.retry = status == 429 or status >= 500


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 64 * 1_048_576
    deadline: float = 120.0  # seconds for the whole request, redirects included
    max_redirects: int = 5


@dataclass(frozen=True)
class Policy:
    """Where downloads may go: the origin (as configured, whatever its address) and the hosts
    of `hosts` ("cms.example.gov.cn", "*.example.gov.cn") when they resolve to public
    addresses only. Loopback, private, link-local and other non-public addresses are refused
    for every host but the configured origin itself."""

    origin: str
    hosts: tuple[str, ...] = field(default_factory=tuple)

    def allows(self, url: str) -> bool:
        try:
            self.address(url, resolve=False)
        except Refused:
            return False
        return True

    def address(self, url: str, resolve: bool = True) -> str | None:
        """The IP address to connect to for url (None: the origin, connect by name), or Refused."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise Refused(f"not an http(s) URL: {_cut(url)}")
        if _same_origin(parts, urlsplit(self.origin)):
            return None
        host = parts.hostname.lower()
        if not any(fnmatchcase(host, pattern.lower()) for pattern in self.hosts):
            raise Refused(f"{host} is neither the origin nor an allowed host")
        if not resolve:
            return None
        try:
            infos = socket.getaddrinfo(host, _port(parts), type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise DownloadError(f"{host}: cannot resolve ({error})") from None
        addresses = [info[4][0] for info in infos]
        for address in addresses:
            if not _public(ipaddress.ip_address(address.split("%")[0])):
                raise Refused(f"{host} resolves to a non-public address ({address})")
        return addresses[0]


@dataclass
class Response:
    url: str  # after redirects
    status: int
    body: bytes


def download(url: str, policy: Policy, limits: Limits, headers: dict[str, str] | None = None,
             clock=time.monotonic) -> Response:
    """GET url within policy and limits; DownloadError (or a subclass) when it cannot."""
    deadline = clock() + limits.deadline
    for _ in range(limits.max_redirects + 1):
        address = policy.address(url)
        remaining = deadline - clock()
        if remaining <= 0:
            raise DownloadError(f"no complete answer within {limits.deadline:g} s")
        status, location, body = _get_once(url, address, headers or {}, limits, deadline, clock)
        if location is None:
            return Response(url, status, body)
        url = urljoin(url, location)
    raise DownloadError(f"more than {limits.max_redirects} redirects")


def _get_once(url, address, headers, limits: Limits, deadline: float, clock):
    parts = urlsplit(url)
    connection = _connection(parts, address, deadline - clock())
    timer = None
    try:
        connection.connect()
        # A per-read timeout never fires on a server that sends a byte a second: end the
        # whole exchange at the deadline by shutting the socket down under the reader.
        timer = threading.Timer(max(0.0, deadline - clock()), _shut, (connection.sock,))
        timer.daemon = True
        timer.start()
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        if response.status in REDIRECTS and response.getheader("Location"):
            return response.status, response.getheader("Location"), b""
        if response.status >= 400:
            raise HTTPStatusError(response.status, response.reason, response.getheader("Retry-After"))
        return response.status, None, _read_body(response, limits, deadline, clock)
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, DownloadError):
            raise
        if clock() >= deadline:
            raise DownloadError(f"no complete answer within {limits.deadline:g} s") from None
        raise DownloadError(f"no answer ({getattr(error, 'reason', None) or error})") from None
    finally:
        if timer is not None:
            timer.cancel()
        connection.close()


def _read_body(response: http.client.HTTPResponse, limits: Limits, deadline: float, clock) -> bytes:
    declared = response.getheader("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limits.max_bytes:
        raise TooLarge(f"larger than {_size(limits.max_bytes)} (Content-Length {declared.strip()})")
    chunks, size = [], 0
    while True:
        chunk = response.read1(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise TooLarge(f"larger than {_size(limits.max_bytes)}")
        if clock() >= deadline:
            raise DownloadError(f"no complete answer within {limits.deadline:g} s")
        chunks.append(chunk)
    if clock() >= deadline:
        raise DownloadError(f"no complete answer within {limits.deadline:g} s")
    return b"".join(chunks)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to a checked address, while the Host header keeps the name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address or self.host, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address or self.host, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _connection(parts, address: str | None, timeout: float):
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    return kind(parts.hostname, _port(parts), address, max(timeout, 0.001))


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global address, also for the IPv4 address inside an IPv6 one (mapped, 6to4, NAT64)."""
    if not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return inner.is_global
    return True


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


def _port(parts) -> int:
    try:
        return parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise Refused(f"bad port in {_cut(parts.geturl())}") from None


def _same_origin(parts, origin) -> bool:
    if (parts.hostname or "").lower() != (origin.hostname or "").lower():
        return False
    if parts.scheme == origin.scheme:
        return _port(parts) == _port(origin)
    # http -> https on the same host with default ports is the same site, moved to TLS.
    return (origin.scheme, parts.scheme) == ("http", "https") and parts.port in (None, 443) \
        and origin.port in (None, 80)


def _size(limit: int) -> str:
    return f"{limit / 1_048_576:g} MiB" if limit >= 1_048_576 else f"{limit} bytes"


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
