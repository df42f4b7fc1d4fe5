"""Downloading a merchant's picture without letting its address reach our own network.

Picture addresses come from store data, which anyone with access to the store can edit; fetched blindly
they would let a store make the hub call internal services (docs/architecture.md, Security). The address rule (http(s) only,
public hosts unless loopback/private is explicitly allowed) is `hub.security.addresses`; here redirects
are followed by hand so that each hop is checked the same way, and both the size and the time a download
may take are bounded.

The time bound is a deadline for the whole download (every redirect, the headers and the body), not a
timeout per read: a server that sends one byte every few seconds never trips a read timeout, so a
watchdog shuts the download's sockets down when the deadline passes, which ends any read in progress.
Name resolution itself is bounded by the system resolver's own timeouts, not by the deadline.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterable
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, ReadTimeoutError

from hub.security.addresses import HOST_NOT_FOUND, PRIVATE_ADDRESS, AddressRefused, check_public_url
from hub.sync.products.errors import ImageError

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_TIMEOUT = (5.0, 15.0)  # connect, read (between bytes)
DEFAULT_DEADLINE = 60.0  # whole download, so a server dripping bytes cannot hold a worker
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_HEADERS = {"User-Agent": "TikTokShopSync-ImageFetcher/1.0", "Accept": "image/*,*/*;q=0.5"}


def check_url(url: str, *, source: str, allow_private: bool, allow_networks: Iterable[str] = ()) -> None:
    """Refuse non-http(s) addresses and hosts resolving to private, loopback, link-local or reserved IPs.

    The rule itself lives in `hub.security.addresses` (shared with the store wake-up call); this turns
    its refusal into the merchant's message about the picture.
    """
    try:
        check_public_url(url, allow_private=allow_private, allow_networks=allow_networks)
    except AddressRefused as refused:
        if refused.reason == HOST_NOT_FOUND:
            raise _host_not_found(source, refused.host) from None
        if refused.reason == PRIVATE_ADDRESS:
            where = "" if url == source else f" (it redirects to {url})"
            raise ImageError(
                "image_address_blocked",
                f"The image at {source}{where} is on a private or local network address; "
                "pictures must be on the public internet.",
            ) from None
        if _parses(url):
            raise ImageError(
                "image_url_invalid",
                f"The image address {source} is not a web address (it must start with http or https).",
            ) from None
        raise ImageError("image_url_invalid", f"The image address {source} is not a valid web address.") from None


def _parses(url: str) -> bool:
    """Whether the address parses at all (a bad port or bracket makes it 'not valid' rather than 'not web')."""
    try:
        urlsplit(url).port
    except (ValueError, TypeError, AttributeError):
        return False
    return True


# ------------------------------------------------------------------------------------------- deadline

_watch = threading.local()


class _Watchdog:
    """Shuts down every connection this thread uses for one download once `seconds` have passed."""

    def __init__(self, seconds: float):
        self.give_up_at = time.monotonic() + seconds
        self.connections: list[HTTPConnection] = []
        self.expired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        _watch.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _watch.current = None

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self.connections.append(connection)
            expired = self.expired
        if expired:
            _cut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self.connections)
        for connection in connections:
            _cut(connection)


def _cut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked in another thread; close() would not
        except OSError:
            pass


class _WatchedMixin:
    def request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - urllib3's own signature
        watchdog = getattr(_watch, "current", None)
        if watchdog is not None:
            watchdog.watch(self)  # type: ignore[arg-type]
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watchdog = getattr(_watch, "current", None)
        if watchdog is not None and watchdog.expired:
            _cut(self)  # type: ignore[arg-type]


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections a download's watchdog can cut."""

    def init_poolmanager(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def image_session() -> requests.Session:
    """A session for picture downloads: no proxy or .netrc from the environment (the address check must
    see the real host), and connections the download deadline can cut."""
    session = requests.Session()
    session.trust_env = False
    return _with_deadline(session)


def _with_deadline(session: requests.Session) -> requests.Session:
    if not isinstance(session.get_adapter("http://x"), DeadlineAdapter):
        session.mount("http://", DeadlineAdapter())
        session.mount("https://", DeadlineAdapter())
    return session


# ---------------------------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class _Policy:
    allow_private: bool
    allow_networks: tuple[str, ...]


def fetch_image(
    url: str,
    *,
    session: requests.Session | None = None,
    allow_private: bool = False,
    allow_networks: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    max_redirects: int = MAX_REDIRECTS,
) -> bytes:
    """The bytes at ``url``, or an ``ImageError`` whose message names the merchant's address."""
    sink = io.BytesIO()
    download_image(url, sink, session=session, allow_private=allow_private, allow_networks=allow_networks,
                   max_bytes=max_bytes, timeout=timeout, deadline=deadline, max_redirects=max_redirects)
    return sink.getvalue()


def download_image(
    url: str,
    sink: BinaryIO,
    *,
    session: requests.Session | None = None,
    allow_private: bool = False,
    allow_networks: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    max_redirects: int = MAX_REDIRECTS,
) -> int:
    """Write the picture at ``url`` into ``sink`` (a file, so that it never sits in memory); its size."""
    own_session = session is None
    session = image_session() if session is None else _with_deadline(session)
    try:
        policy = _Policy(allow_private, tuple(allow_networks))
        with _Watchdog(deadline) as watchdog:
            try:
                size = _fetch(url, session, policy, max_bytes, timeout, watchdog.give_up_at, max_redirects, sink)
            except ImageError as error:
                if watchdog.expired and error.code != "image_timeout":
                    raise _timeout(url) from None  # what the cut connection looked like from inside
                raise
            if watchdog.expired:  # a cut answer can look complete (headers cut short, no length)
                raise _timeout(url)
            return size
    finally:
        if own_session:
            session.close()


def _fetch(
    source: str,
    session: requests.Session,
    policy: "_Policy",
    max_bytes: int,
    timeout: tuple[float, float],
    give_up_at: float,
    max_redirects: int,
    sink: BinaryIO,
) -> int:
    url = source
    for _hop in range(max_redirects + 1):
        check_url(url, source=source, allow_private=policy.allow_private, allow_networks=policy.allow_networks)
        try:
            response = session.get(url, headers=_HEADERS, stream=True, allow_redirects=False, timeout=timeout)
        except requests.exceptions.Timeout:
            raise _timeout(source) from None
        except requests.exceptions.RequestException as exc:
            if _name_not_resolved(exc):  # private hosts allowed: the name is resolved only here
                raise _host_not_found(source, urlsplit(url).hostname) from None
            raise _unreachable(source, exc) from None
        with response:
            if response.status_code in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise ImageError(
                        "image_download_failed",
                        f"The image at {source} could not be downloaded: the server redirected without saying where.",
                    )
                url = urljoin(url, location)
                continue
            if response.status_code in (404, 410):
                raise ImageError(
                    "image_not_found",
                    f"The image at {source} was not found (the server answered {response.status_code}). "
                    "Check that the picture still exists in your store.",
                )
            if response.status_code >= 400:
                busy = response.status_code >= 500 or response.status_code == 429
                raise ImageError(
                    "image_download_failed",
                    f"The image at {source} could not be downloaded (the server answered {response.status_code}).",
                    transient=busy,
                )
            return _read_body(response, source, max_bytes, give_up_at, sink)
    raise ImageError(
        "image_too_many_redirects", f"The image at {source} could not be downloaded: it redirects more than {max_redirects} times."
    )


def _read_body(response: requests.Response, source: str, max_bytes: int, give_up_at: float, sink: BinaryIO) -> int:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(source, max_bytes)
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(source, max_bytes)
            sink.write(chunk)
            if time.monotonic() > give_up_at:
                raise _timeout(source)
    except requests.exceptions.ConnectionError as exc:
        if exc.args and isinstance(exc.args[0], ReadTimeoutError):
            raise _timeout(source) from None
        raise _unreachable(source, exc) from None
    except requests.exceptions.Timeout:
        raise _timeout(source) from None
    except requests.exceptions.RequestException as exc:
        raise _unreachable(source, exc) from None
    return size


def _too_large(source: str, max_bytes: int) -> ImageError:
    return ImageError(
        "image_too_large",
        f"The image at {source} is larger than {max_bytes // (1024 * 1024)} MB; upload a smaller picture to your store.",
    )


def _timeout(source: str) -> ImageError:
    return ImageError("image_timeout", f"The image at {source} took too long to download. Check that it opens in a "
                      "browser, then click Sync.", transient=True)


def _host_not_found(source: str, host: str | None) -> ImageError:
    """A name that does not resolve may be the resolver's hiccup as much as a wrong address: temporary,
    so the listing retries it and fails the product only if it persists through the retries — the same
    whether private hosts are allowed (resolved while connecting) or not (resolved before)."""
    return ImageError("image_host_not_found", f"The image at {source} could not be downloaded: the server "
                      f"{host} does not exist (its name could not be found).", transient=True)


def _name_not_resolved(exc: Exception) -> bool:
    seen: set[int] = set()
    current: Any = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (NameResolutionError, socket.gaierror)):
            return True
        nested = getattr(current, "reason", None)
        if nested is None and getattr(current, "args", None):
            nested = current.args[0] if isinstance(current.args[0], BaseException) else None
        current = nested if nested is not None else current.__context__
    return False


def _unreachable(source: str, exc: Exception) -> ImageError:
    tls = isinstance(exc, requests.exceptions.SSLError)
    reason = "a secure connection could not be made" if tls else "the server could not be reached"
    return ImageError("image_download_failed", f"The image at {source} could not be downloaded: {reason}.",
                      transient=not tls)
