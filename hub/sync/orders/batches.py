"""Order ids waiting to be read from TikTok, per shop: the webhook path's batching.

TikTok's order detail call takes up to 50 ids, and the shop's rate limit counts calls, not ids. A
webhook therefore only adds its order id to the shop's waiting set (`hub:order-fetch:<shop>`, a
sorted set by first request time) and makes sure a fetch job (`order-fetch-<shop>`) is coming; each
fetch job claims up to 50 waiting ids, reads them in one call and applies each order. During a storm
the waiting set fills while jobs run, so calls carry full batches; a lone order is still one call.

A claim moves the ids to `hub:order-fetch-claimed:<shop>` with a deadline. A webhook that arrives for
a claimed id puts it back in the waiting set, so a change TikTok made after the fetch read the order
is read again. A job that fails gives its ids back before RQ retries it; a worker that dies with a
claim leaves ids whose deadline passes, and the next claim takes them back. Whatever Redis itself
loses, the periodic order search finds (hub.sync.orders.polling).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Iterator, Sequence

from redis import exceptions as redis_errors

from hub.queues import ORDERS, enqueue_coalesced
from hub.sync import policy

if TYPE_CHECKING:
    import redis

    from hub.runtime import Runtime

FETCH_JOB = "hub.jobs.orders.import_orders"
BATCH = 50  # TikTok's maximum ids per order detail call (hub.tiktok.orders.MAX_DETAIL_IDS)
CLAIM_SECONDS = 600

# KEYS: waiting, claimed. ARGV: now, claim deadline, batch size. Expired claims go back first (first
# in line, score 0); then up to `batch` waiting ids move to the claimed set. Returns the ids and how
# many are still waiting.
_CLAIM = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, id in ipairs(expired) do
  redis.call('ZADD', KEYS[1], 'NX', 0, id)
  redis.call('ZREM', KEYS[2], id)
end
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ARGV[2], id)
end
return {ids, redis.call('ZCARD', KEYS[1])}
"""


def waiting_key(shop_id: str) -> str:
    return f"hub:order-fetch:{shop_id}"


def claimed_key(shop_id: str) -> str:
    return f"hub:order-fetch-claimed:{shop_id}"


def job_id(shop_id: str) -> str:
    return f"order-fetch-{shop_id}"


_deferred: ContextVar[set[str] | None] = ContextVar("order_fetch_deferred", default=None)


def request(runtime: "Runtime", shop_id: str, tiktok_order_ids: Sequence[str]) -> None:
    """Ask for these orders to be read from TikTok and applied (soon, in a batch)."""
    if not tiktok_order_ids:
        return
    now = time.time()
    added = runtime.redis.zadd(waiting_key(shop_id), {tid: now for tid in tiktok_order_ids}, nx=True)
    if added:  # an id already waiting was added by a request whose fetch job has not claimed it yet
        deferred = _deferred.get()
        if deferred is None:
            enqueue_fetch(runtime, shop_id)
        else:
            deferred.add(shop_id)


@contextmanager
def one_fetch_per_shop(runtime: "Runtime") -> Iterator[None]:
    """Requests made inside start each shop's fetch job once, at the end.

    A job handling a batch of notifications would otherwise start the fetch job with its first order,
    and that job would read that one order alone while the rest are still being added: with the start
    deferred, the fetch reads them 50 at a time. Ids already added get their fetch job whatever happens."""
    token = _deferred.set(set())
    try:
        yield
    finally:
        shops = _deferred.get() or set()
        _deferred.reset(token)
        for shop_id in sorted(shops):
            enqueue_fetch(runtime, shop_id)


def enqueue_fetch(runtime: "Runtime", shop_id: str) -> None:
    enqueue_coalesced(ORDERS, FETCH_JOB, job_id(shop_id), shop_id, connection=runtime.redis,
                      retry=policy.retry(policy.ORDER_IMPORT), failure_ttl=7 * 24 * 3600)


READING_SECONDS = 60  # a read lost with its worker holds the shop's turn no longer than this
# Reads of one shop start at least this far apart: during a burst the next read waits for what arrives
# meanwhile (an order's first statuses come seconds apart, so it is read once, at its latest), and a
# lone order, read long after the previous one, does not wait at all.
READ_SPACING = 0.25


@contextmanager
def reading(runtime: "Runtime", shop_id: str) -> Iterator[bool]:
    """The shop's turn to read: yields whether this fetch job should read now.

    A fetch job started while another reads the same shop steps aside unless a full batch waits (then
    both read, in parallel): during a burst each webhook starts a fetch job, and running them all at
    once read one order per call, each order once per status (three reads for one order in the first
    seconds of its life). The reader, after releasing its turn, starts a fetch job for whatever arrived
    meanwhile, so nothing waits for a job that stepped aside."""
    lock = runtime.redis.lock(f"hub:order-fetch-reading:{shop_id}", timeout=READING_SECONDS, blocking=False)
    if not lock.acquire():
        yield int(runtime.redis.zcard(waiting_key(shop_id))) >= BATCH
        return
    try:
        _space_out(runtime, shop_id)
        yield True
    finally:
        try:
            lock.release()
        except redis_errors.LockError:
            pass  # held past its timeout and taken by another reader: that reader starts the next
    # Only after a read that worked: a failed one gave its ids back and RQ retries it with backoff (a
    # follow-up started here would retry at once, again and again, against a failing TikTok).
    if runtime.redis.zcard(waiting_key(shop_id)):
        enqueue_fetch(runtime, shop_id)


def _space_out(runtime: "Runtime", shop_id: str) -> None:
    """Wait, holding the shop's turn, until `READ_SPACING` after the start of its previous read."""
    key = f"hub:order-fetch-last:{shop_id}"
    previous = runtime.redis.get(key)
    now = time.time()
    if previous is not None:
        wait = float(previous) + READ_SPACING - now
        if 0 < wait <= READ_SPACING:
            time.sleep(wait)
            now = time.time()
    runtime.redis.set(key, f"{now:.6f}", ex=60)


def claim(connection: "redis.Redis", shop_id: str, batch: int = BATCH) -> tuple[list[str], int]:
    """Up to `batch` waiting ids, now claimed by the caller; and how many are still waiting."""
    now = time.time()
    ids, left = connection.eval(_CLAIM, 2, waiting_key(shop_id), claimed_key(shop_id), now, now + CLAIM_SECONDS,
                                batch)
    return [i.decode() if isinstance(i, bytes) else str(i) for i in ids], int(left)


def waiting(connection: "redis.Redis", shop_id: str, tiktok_order_ids: Sequence[str]) -> set[str]:
    """Which of these ids wait for a fetch job (not yet claimed): that job reads TikTok after now."""
    if not tiktok_order_ids:
        return set()
    pipe = connection.pipeline(transaction=False)  # ZSCOREs, not ZMSCORE: that needs Redis 6.2 (docs: 6+)
    for tid in tiktok_order_ids:
        pipe.zscore(waiting_key(shop_id), tid)
    return {tid for tid, score in zip(tiktok_order_ids, pipe.execute()) if score is not None}


def done(connection: "redis.Redis", shop_id: str, tiktok_order_ids: Sequence[str]) -> None:
    if tiktok_order_ids:
        connection.zrem(claimed_key(shop_id), *tiktok_order_ids)


def give_back(connection: "redis.Redis", shop_id: str, tiktok_order_ids: Sequence[str]) -> None:
    """Unclaim ids that were not applied, first in line for the next fetch."""
    if not tiktok_order_ids:
        return
    pipe = connection.pipeline(transaction=True)
    pipe.zadd(waiting_key(shop_id), {tid: 0 for tid in tiktok_order_ids}, nx=True)
    pipe.zrem(claimed_key(shop_id), *tiktok_order_ids)
    pipe.execute()
