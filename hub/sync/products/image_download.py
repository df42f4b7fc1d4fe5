"""Downloading a merchant's picture without letting its address reach our own network.

Picture addresses come from store data, which anyone with access to the store can edit; fetched blindly
they would let a store make the hub call internal services (docs/architecture.md, Security). So only http(s) is allowed, every
address the host name resolves to must be public unless loopback/private is explicitly allowed (tests and
the demo), redirects are followed by hand so that each hop is checked the same way, and both the size and
the time a download may take are bounded.

Remaining gap, accepted: the name is resolved here and again by the HTTP library, so a DNS server that
answers differently within milliseconds (DNS rebinding) could still slip through; closing it needs
connecting to the checked address itself, which ``requests`` cannot do without losing TLS host checks.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from hub.sync.products.errors import ImageError

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_TIMEOUT = (5.0, 15.0)  # connect, read (between bytes)
DEFAULT_DEADLINE = 60.0  # whole download, so a server dripping bytes cannot hold a worker
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_HEADERS = {"User-Agent": "TikTokShopSync-ImageFetcher/1.0", "Accept": "image/*,*/*;q=0.5"}


def _allowed(address: str, allow_networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allow_networks):
        return True
    return ip.is_global and not ip.is_multicast


def _networks(allow_networks: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(network, strict=False) for network in allow_networks]


def check_url(url: str, *, source: str, allow_private: bool, allow_networks: Iterable[str] = ()) -> None:
    """Refuse non-http(s) addresses and hosts resolving to private, loopback, link-local or reserved IPs.

    ``allow_networks`` opens specific ranges only (the demo allows ``127.0.0.0/8`` yet still refuses
    ``169.254.169.254``, the cloud metadata address); ``allow_private`` opens everything.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, TypeError, AttributeError):
        raise ImageError("image_url_invalid", f"The image address {source} is not a valid web address.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ImageError(
            "image_url_invalid", f"The image address {source} is not a web address (it must start with http or https)."
        )
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ImageError(
            "image_host_not_found", f"The image at {source} could not be downloaded: the server {parts.hostname} does not exist."
        ) from None
    networks = _networks(allow_networks)
    for info in infos:
        if not _allowed(str(info[4][0]), networks):
            where = "" if url == source else f" (it redirects to {url})"
            raise ImageError(
                "image_address_blocked",
                f"The image at {source}{where} is on a private or local network address; "
                "pictures must be on the public internet.",
            )


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
    own_session = session is None
    if session is None:
        session = requests.Session()
        session.trust_env = False  # no proxy or .netrc from the environment: the check must see the real host
    try:
        policy = _Policy(allow_private, tuple(allow_networks))
        return _fetch(url, session, policy, max_bytes, timeout, time.monotonic() + deadline, max_redirects)
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
) -> bytes:
    url = source
    for _hop in range(max_redirects + 1):
        check_url(url, source=source, allow_private=policy.allow_private, allow_networks=policy.allow_networks)
        try:
            response = session.get(url, headers=_HEADERS, stream=True, allow_redirects=False, timeout=timeout)
        except requests.exceptions.Timeout:
            raise _timeout(source) from None
        except requests.exceptions.RequestException as exc:
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
            return _read_body(response, source, max_bytes, give_up_at)
    raise ImageError(
        "image_too_many_redirects", f"The image at {source} could not be downloaded: it redirects more than {max_redirects} times."
    )


def _read_body(response: requests.Response, source: str, max_bytes: int, give_up_at: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(source, max_bytes)
    body = bytearray()
    try:
        for chunk in response.iter_content(_CHUNK):
            body.extend(chunk)
            if len(body) > max_bytes:
                raise _too_large(source, max_bytes)
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
    return bytes(body)


def _too_large(source: str, max_bytes: int) -> ImageError:
    return ImageError(
        "image_too_large",
        f"The image at {source} is larger than {max_bytes // (1024 * 1024)} MB; upload a smaller picture to your store.",
    )


def _timeout(source: str) -> ImageError:
    return ImageError("image_timeout", f"The image at {source} took too long to download. Check that it opens in a "
                      "browser, then click Sync.", transient=True)


def _unreachable(source: str, exc: Exception) -> ImageError:
    tls = isinstance(exc, requests.exceptions.SSLError)
    reason = "a secure connection could not be made" if tls else "the server could not be reached"
    return ImageError("image_download_failed", f"The image at {source} could not be downloaded: {reason}.",
                      transient=not tls)
