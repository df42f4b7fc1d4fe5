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
from typing import TYPE_CHECKING, Sequence

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


def request(runtime: "Runtime", shop_id: str, tiktok_order_ids: Sequence[str]) -> None:
    """Ask for these orders to be read from TikTok and applied (soon, in a batch)."""
    if not tiktok_order_ids:
        return
    now = time.time()
    added = runtime.redis.zadd(waiting_key(shop_id), {tid: now for tid in tiktok_order_ids}, nx=True)
    if added:  # an id already waiting was added by a request whose fetch job has not claimed it yet
        enqueue_fetch(runtime, shop_id)


def enqueue_fetch(runtime: "Runtime", shop_id: str) -> None:
    enqueue_coalesced(ORDERS, FETCH_JOB, job_id(shop_id), shop_id, connection=runtime.redis,
                      retry=policy.retry(policy.ORDER_IMPORT), failure_ttl=7 * 24 * 3600)


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
    scores = connection.zmscore(waiting_key(shop_id), list(tiktok_order_ids))
    return {tid for tid, score in zip(tiktok_order_ids, scores) if score is not None}


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
