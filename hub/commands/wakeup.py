"""Waking a store that has a command waiting, so it polls now instead of at its next cron run.

A WordPress store polls for commands from WP-Cron about once a minute and must not hold a PHP worker in
a long-poll, so a TikTok order used to wait 30–60 s before it became a store order. When a command is
created for a store that has no long-poll waiting, the hub sends the store a content-free, signed
``POST`` to the wake-up address the store's extension serves (docs/extension-api.md, "Wake-up");
the store then polls as usual. The request carries nothing but its signature, so a forged or replayed
one can at most make a store poll.

It never holds up the caller: ``request_wake`` only sets a Redis key and enqueues a job, and the job
(a worker, short timeouts) sends the request. Per store, at most one wake-up is sent per
``MIN_INTERVAL_MS``; one asked for inside that interval is sent when it ends, so a command created just
after the store's poll is not left to the cron poll. Only an address the store itself registered
(``store.update``'s ``base_url`` plus the extension's documented route) is called, under the same rules as
picture downloads (`hub.security.addresses`: public hosts only, unless private networks are allowed in
configuration). A store that cannot be reached — behind a firewall, on a laptop — simply keeps
polling on its own.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import redis
import requests

from hub.commands.outbox import channel
from hub.security.addresses import AddressRefused, check_public_url
from hub.security.signing import signature

if TYPE_CHECKING:
    from hub.models import Store
    from hub.runtime import Runtime

log = logging.getLogger("hub.commands.wakeup")

MIN_INTERVAL_MS = 1000
TIMEOUT = (2.0, 3.0)  # connect, read: the store answers 202 before it polls
USER_AGENT = "TikTokShopSync-Hub/1 (wake-up)"


@dataclass(frozen=True)
class WakeRoute:
    """Where an extension serves its wake-up address, relative to its ``base_url``, and since which version."""

    path: str
    query: str
    since: tuple[int, ...]


WAKE_ROUTES = {
    # The WooCommerce plugin's REST route, addressed the way every WordPress site answers it (no pretty
    # permalinks needed). Added in version 0.2.0 of the plugin; older versions are never called.
    "woocommerce": WakeRoute(path="", query="rest_route=/tiktok-shop-sync/v1/wake", since=(0, 2, 0)),
    # The Magento 2 module's controller (it queues a poll for the website and answers 202).
    "magento2": WakeRoute(path="tiktokshop/wake/index", query="", since=(1, 0, 0)),
}


def _version(text: str | None) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in (text or "").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def wake_url(store: "Store") -> str | None:
    """The address to wake ``store`` at, or None when its extension does not serve one."""
    route = WAKE_ROUTES.get(store.platform)
    if route is None or not store.base_url or _version(store.extension_version) < route.since:
        return None
    if not store.sync_enabled or store.revoked_at is not None:
        return None
    parts = urlsplit(store.base_url.split("#", 1)[0])
    path = (parts.path if parts.path.endswith("/") else parts.path + "/") + route.path
    query = "&".join(q for q in (parts.query, route.query) if q)
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")


def _queued_key(store_id: str) -> str:
    return f"hub:wake:queued:{store_id}"


def request_wake(connection: redis.Redis, store_id: str) -> None:
    """A command for ``store_id`` was committed: have a worker wake the store, unless a long-poll waits.

    Called on the notify path, inside web requests and jobs: a few Redis calls, never an HTTP request,
    never an exception.
    """
    try:
        waiting = connection.pubsub_numsub(channel(store_id))
        if waiting and int(waiting[0][1]) > 0:
            return  # a long-poll is waiting: the Redis notification wakes it
        if not connection.set(_queued_key(store_id), b"1", nx=True, px=10_000):
            return  # a wake-up job is already queued; it will cover this command
        from hub.queues import ORDERS, queue

        queue(ORDERS, connection).enqueue("hub.jobs.orders.wake_store", store_id, result_ttl=0, failure_ttl=3600,
                                          job_timeout=30)
    except redis.RedisError:
        log.warning("Could not queue the wake-up of store %s; it will poll on its own", store_id)


def send_wake(runtime: "Runtime", store_id: str) -> str:
    """The job: sends the wake-up request (or defers it to the end of the interval). Returns the outcome."""
    from hub.models import Store

    connection = runtime.redis
    connection.delete(_queued_key(store_id))
    if not connection.set(f"hub:wake:sent:{store_id}", b"1", nx=True, px=MIN_INTERVAL_MS):
        return _send_later(runtime, store_id)
    connection.delete(f"hub:wake:later:{store_id}")  # this wake-up covers any that was deferred
    with runtime.db.session_scope() as session:
        store = session.get(Store, store_id)
        if store is None:
            return "no_store"
        url = wake_url(store)
        key_id = store.key_id
        secret = runtime.secrets.decrypt(store.secret_encrypted) if url else ""
    if url is None:
        return "no_wake_url"
    try:
        check_public_url(url, allow_private=runtime.settings.allow_private_store_hosts)
    except AddressRefused as refused:
        log.warning("Not waking store %s: its address %s is refused (%s)", store_id, url, refused.reason)
        return f"refused:{refused.reason}"
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timestamp = str(int(time.time()))
    headers = {"X-Hub-Key": key_id, "X-Hub-Timestamp": timestamp,
               "X-Hub-Signature": signature(secret, timestamp, "POST", path, b""),
               "User-Agent": USER_AGENT, "Content-Length": "0"}
    try:
        with requests.Session() as http:
            http.trust_env = False  # no proxy from the environment: the address check must see the real host
            response = http.post(url, data=b"", headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.exceptions.Timeout:
        return "timeout"  # the store may well be polling already; nothing to do either way
    except requests.exceptions.RequestException:
        log.info("Store %s did not answer its wake-up call; it polls on its own", store_id)
        return "unreachable"
    return f"sent:{response.status_code}"


def _send_later(runtime: "Runtime", store_id: str) -> str:
    """A wake-up went out less than an interval ago: send one more when the interval ends.

    The job waits out the rest of the interval (under a second) itself rather than scheduling a delayed
    job: delayed jobs wait for the scheduler's tick, and after a worker crash for the scheduler to move
    to another worker, and a wake-up that comes seconds late is one the store's cron may beat."""
    connection = runtime.redis
    wait_ms = max(int(connection.pttl(f"hub:wake:sent:{store_id}")), 1)
    if not connection.set(f"hub:wake:later:{store_id}", b"1", nx=True, px=wait_ms + 2000):
        return "coalesced"
    time.sleep(min(wait_ms, MIN_INTERVAL_MS) / 1000.0)
    connection.delete(f"hub:wake:sent:{store_id}")  # the interval is over (also if the key outlived it)
    outcome = send_wake(runtime, store_id)
    return f"deferred:{outcome}"
