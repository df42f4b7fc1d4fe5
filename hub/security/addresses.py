"""Which web addresses the hub may call when the address comes from store data.

Picture addresses and store addresses (the wake-up call) are typed by whoever runs the store, so calling
them blindly would let a store make the hub reach internal services (docs/architecture.md, Security: SSRF). Only http(s) is
allowed, and every address the host name resolves to must be public unless private or loopback networks
are explicitly allowed in configuration (tests and the demo). Callers check each redirect hop the same
way, or follow none.

Remaining gap, accepted: the name is resolved here and again by the HTTP library, so a DNS server that
answers differently within milliseconds (DNS rebinding) could still slip through; closing it needs
connecting to the checked address itself, which ``requests`` cannot do without losing TLS host checks.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Iterable, Sequence
from urllib.parse import urlsplit

NOT_A_WEB_ADDRESS, HOST_NOT_FOUND, PRIVATE_ADDRESS = "not_a_web_address", "host_not_found", "private_address"


class AddressRefused(ValueError):
    """The address may not be called; ``reason`` is one of the constants above."""

    def __init__(self, reason: str, host: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.host = host


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _allowed(address: str, allow_networks: Sequence[Network]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allow_networks):
        return True
    return ip.is_global and not ip.is_multicast


def networks(allow_networks: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(network, strict=False) for network in allow_networks]


def check_public_url(url: str, *, allow_private: bool, allow_networks: Iterable[str] = ()) -> None:
    """Raise ``AddressRefused`` unless ``url`` is http(s) on a host with only public addresses.

    ``allow_networks`` opens specific ranges only (the demo allows ``127.0.0.0/8`` yet still refuses
    ``169.254.169.254``, the cloud metadata address); ``allow_private`` opens everything.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, TypeError, AttributeError):
        raise AddressRefused(NOT_A_WEB_ADDRESS) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AddressRefused(NOT_A_WEB_ADDRESS)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(HOST_NOT_FOUND, parts.hostname) from None
    opened = networks(allow_networks)
    for info in infos:
        if not _allowed(str(info[4][0]), opened):
            raise AddressRefused(PRIVATE_ADDRESS, parts.hostname)
