"""RQ queues by priority and coalescing enqueue with deterministic job ids.

This is mechanism only, below every part of the hub that enqueues work (the sync engine, the TikTok
webhook receiver, jobs): it knows queue names and job ids, never what a job does. Jobs are named by
their dotted path (`"hub.jobs.stock.push_stock"`), so enqueueing needs no import of the job layer;
`tests/foundation/test_jobs.py` checks that every path the hub enqueues resolves to a function.

Workers listen to the queues in `PRIORITY` order, so orders and stock never wait behind a big batch
of new listings (orders and price/stock pushes take turns: hub/jobs/worker.py). Periodic jobs are
chains of time-slot ids (`schedule_next_slot`). `enqueue_coalesced` turns a burst of changes to one product into one job that reads
the latest state when it runs; a change that lands while that job is already running gets exactly one
follow-up job, so no change is ever missed.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import time
import zlib
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, TypeVar

import redis
from redis.commands.core import Script
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus, validate_job_id

if TYPE_CHECKING:
    from hub.runtime import Runtime

ORDERS, STOCK, STOCK_BULK, PRICE, DETAILS, LISTINGS, MAINTENANCE = (
    "orders", "stock", "stock-bulk", "price", "details", "listings", "maintenance")
# `stock-bulk` holds the stock pushes of a store that is sending a storm of changes, so that another
# merchant's single change (on `stock`) never waits behind thousands of them (hub/sync/stock/schedule.py).
# It is several RQ queues, its lanes: each storming store is given a lane of its own while it storms
# (hub/sync/stock/lanes.py) and workers take the lanes in turn (hub/jobs/worker.py), so two stores
# storming at once share TikTok's time instead of one waiting behind the other's whole backlog. Lane 0
# keeps the name of the single queue it replaced, so jobs queued before an upgrade still run.
BULK_LANES = 8
STOCK_BULK_LANES = (STOCK_BULK, *(f"{STOCK_BULK}-{n}" for n in range(1, BULK_LANES)))
# Positions in priority order: what `hub worker --queue` names and `hub status` reports; `stock-bulk`
# stands for all its lanes. QUEUE_NAMES are the RQ queues themselves, in the same order.
PRIORITY = (ORDERS, STOCK, STOCK_BULK, PRICE, DETAILS, LISTINGS, MAINTENANCE)


def lanes_of(name: str) -> tuple[str, ...]:
    """The RQ queues of a priority position: the bulk lanes for `stock-bulk`, else the queue itself."""
    return STOCK_BULK_LANES if name == STOCK_BULK else (name,)


def position_of(queue_name: str) -> str:
    """The priority position an RQ queue belongs to (a bulk lane's is `stock-bulk`)."""
    return STOCK_BULK if queue_name in STOCK_BULK_LANES else queue_name


QUEUE_NAMES = tuple(name for position in PRIORITY for name in lanes_of(position))

# A job is a function or its dotted path; RQ's own signature constrains it to exactly one of the two.
JobFunction = TypeVar("JobFunction", str, Callable[..., Any])

_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
LOCK_MS = 10_000
# Deletes each lock still holding our token: a lock that expired and was taken by someone else stays.
_RELEASE_LOCKS = """
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then
    redis.call('del', key)
    released = released + 1
  end
end
return released
"""


# For each job id in ARGV[5..], one reply: "w" when the job or its follow-up is waiting (nothing to do),
# "b" when another process holds the id's lock, else the id's lock is taken with token ARGV[1] for ARGV[2]
# ms and the reply is "<status of the job>|<status of its follow-up>" (empty for none). One call instead
# of three commands per id: a storm batch names hundreds of ids.
_LOCK_AND_READ = """
local waiting = {queued = true, scheduled = true, deferred = true}
local out = {}
for i = 5, #ARGV do
  local id = ARGV[i]
  local lock = ARGV[3] .. id
  if redis.call('exists', lock) == 1 then
    out[#out + 1] = 'b'
  else
    local first = redis.call('hget', ARGV[4] .. id, 'status') or ''
    local follow = redis.call('hget', ARGV[4] .. id .. '-next', 'status') or ''
    if waiting[first] or waiting[follow] then
      out[#out + 1] = 'w'
    else
      redis.call('set', lock, ARGV[1], 'PX', ARGV[2])
      out[#out + 1] = first .. '|' .. follow
    end
  end
end
return out
"""


_SAFE_ID_PART = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def id_part(value: str) -> str:
    """A value as part of a job id: RQ ids allow letters, digits, `_` and `-`, so any other value (a
    product id with a slash, a long SKU) is replaced by a stable digest of it."""
    return value if _SAFE_ID_PART.match(value) else "h" + hashlib.sha256(value.encode()).hexdigest()[:24]


def queue(name: str, connection: redis.Redis) -> Queue:
    """One RQ queue by name (`stock-bulk` is the bulk lane 0: a store's own lane is hub/sync/stock/lanes.py's)."""
    if name not in QUEUE_NAMES:
        raise ValueError(f"Unknown queue {name!r}")
    return Queue(name, connection=connection)


def queue_key(name: str) -> str:
    """The Redis key of RQ queue `name` (its list of waiting job ids), without building the queue."""
    return Queue.redis_queue_namespace_prefix + name


def all_queues(connection: redis.Redis, positions: Sequence[str] = PRIORITY) -> list[Queue]:
    """Every RQ queue of the given priority positions (default: all), in priority order."""
    return [Queue(name, connection=connection) for position in PRIORITY if position in positions
            for name in lanes_of(position)]


def _status(job_id: str, connection: redis.Redis) -> JobStatus | None:
    """One read: a job deleted at any moment reads as no job (None), never as an error."""
    return _decoded(connection.hget(Job.key_for(job_id), "status"))


def _delete(job_id: str, connection: redis.Redis) -> None:
    try:
        Job.fetch(job_id, connection=connection).delete()
    except NoSuchJobError:
        pass  # gone meanwhile: what deleting it was for


def _lock_key(job_id: str) -> str:
    return f"hub:coalesce:{job_id}"


def _decoded(status: bytes | str | None) -> JobStatus | None:
    if status is None:
        return None
    return JobStatus(status.decode() if isinstance(status, bytes) else status)


@functools.cache
def script(text: str) -> Script:
    """A Lua script run by its SHA1 (EVALSHA, loaded on first use by each server): the text is sent
    and hashed once, not on every call. Called with `client=`."""
    return Script(None, text.encode())  # type: ignore[arg-type]  # bytes need no client to hash


def enqueue_coalesced(queue_name: str, func: JobFunction, job_id: str, *args: Any,
                      connection: redis.Redis, replace_scheduled: bool = False, **options: Any) -> Job:
    """Enqueue `func` under `job_id` unless an identical job is already waiting.

    While a job with that id is running, the follow-up goes under `<job_id>-next` (itself coalesced).
    A short Redis lock makes the check-and-enqueue atomic across web processes and workers.

    `replace_scheduled`: a job waiting for a scheduled retry (RQ's scheduled registry, up to the
    longest backoff) is replaced by one that runs now, with a fresh retry budget — for a change that
    may fix what failed (the merchant's fix, the Sync button). A job already queued is kept: it runs
    soon and reads the latest state anyway.
    """
    q = queue(queue_name, connection)
    with connection.lock(_lock_key(job_id), timeout=LOCK_MS / 1000, blocking_timeout=10):
        for candidate in (job_id, f"{job_id}-next"):
            # A job may finish, be deleted or be taken by a worker's batch between any two reads here
            # (RQ's own status read then raises): every read tolerates it, and a job that is gone is
            # replaced by a new one, so the change is never dropped.
            status = _status(candidate, connection)
            if status == JobStatus.SCHEDULED and replace_scheduled:
                _delete(candidate, connection)  # leaves the scheduled registry too
                return q.enqueue(func, *args, job_id=candidate, **options)
            if status in _WAITING:
                try:
                    return Job.fetch(candidate, connection=connection)
                except NoSuchJobError:
                    return q.enqueue(func, *args, job_id=candidate, **options)
            if status == JobStatus.STARTED:
                continue
            if status is not None:
                _delete(candidate, connection)
            return q.enqueue(func, *args, job_id=candidate, **options)
        # Both the job and its follow-up are running and either may have read state older than this
        # change: a uniquely named extra run is the rare price of never missing it.
        return q.enqueue(func, *args, job_id=f"{job_id}-{secrets.token_hex(4)}", **options)


def enqueue_alike(q: Queue, func: JobFunction, jobs: Sequence[tuple[str, tuple[Any, ...]]], *,
                  pipeline: redis.client.Pipeline, **options: Any) -> None:
    """Enqueue jobs of one function and options that differ only in their ids and arguments, stored
    exactly as RQ's `enqueue_many` stores them (`options` as `Queue.create_job` takes them).

    RQ builds every job from nothing: resolving the function, parsing four timeouts, checking its
    serializer against a typing protocol (slow before Python 3.12), then turning all eighteen fields
    into strings. For the hundreds of push jobs one store batch creates that was most of the Extension
    API's CPU (55 µs a job). Here RQ builds the first job, and its stored fields are the template: each
    job changes only what differs — its id, its arguments as RQ serializes them (`Job.data`, compressed
    as `Job.to_dict` does) and its description — at a third of the cost. tests/foundation/test_jobs.py
    compares the stored jobs with RQ's own field by field, so an RQ that stores jobs differently fails
    there first.
    """
    first_id, first_args = jobs[0]
    template = q.create_job(func, args=first_args, job_id=first_id, status=JobStatus.QUEUED, **options)
    template.origin = q.name
    template.enqueued_at = template.created_at
    fields = template.to_dict()
    pipeline.sadd(q.redis_queues_keys, q.key)
    for job_id, args in jobs:
        validate_job_id(job_id)
        template.args = args
        pipeline.hset(Job.redis_job_namespace_prefix + job_id, mapping={
            **fields, "data": zlib.compress(template.data), "description": template.get_call_string() or ""})
    pipeline.rpush(q.key, *(job_id for job_id, _ in jobs))


def enqueue_coalesced_many(queue_name: str, func: JobFunction,
                           jobs: Iterable[tuple[str, Sequence[Any]]], *, connection: redis.Redis,
                           **options: Any) -> int:
    """`enqueue_coalesced` for many job ids at once, in two round trips instead of ~10 each.

    A batch of 500 store changes would otherwise spend most of its request time on per-job locks and
    status reads. One script settles the common cases: a job already waiting absorbs the change (read
    atomically, no lock needed); for the rest it takes the same per-id locks as the single version and
    reports the statuses, and an id with no job (or only a running one) gets a new job. Anything else
    (an id whose lock another process holds, a finished or failed job still kept) goes through
    `enqueue_coalesced` one by one. Returns the number of ids looked at.
    """
    unique: dict[str, Sequence[Any]] = dict(jobs)
    if not unique:
        return 0
    token = secrets.token_hex(8)
    replies = script(_LOCK_AND_READ)([], [token, LOCK_MS, _lock_key(""), Job.redis_job_namespace_prefix, *unique],
                                     client=connection)
    q = queue(queue_name, connection)
    timeout = options.pop("job_timeout", None)
    fresh, one_by_one, locked = [], [], []
    for (job_id, args), reply in zip(unique.items(), replies):
        reply = reply.decode() if isinstance(reply, bytes) else str(reply)
        if reply == "w":
            continue  # a waiting job reads this change when it runs
        if reply == "b":
            one_by_one.append((job_id, args))
            continue
        locked.append(_lock_key(job_id))
        first_raw, _, follow_raw = reply.partition("|")
        first, follow_up = _decoded(first_raw or None), _decoded(follow_raw or None)
        if first is None:
            fresh.append((job_id, tuple(args)))
        elif first == JobStatus.STARTED and follow_up is None:
            fresh.append((f"{job_id}-next", tuple(args)))
        else:
            one_by_one.append((job_id, args))
    pipe = connection.pipeline(transaction=True)
    if fresh:
        enqueue_alike(q, func, fresh, pipeline=pipe, timeout=timeout, **options)
    if locked:
        pipe.eval(_RELEASE_LOCKS, len(locked), *locked, token)
    pipe.execute()
    if timeout is not None:
        options["job_timeout"] = timeout
    for job_id, args in one_by_one:
        enqueue_coalesced(queue_name, func, job_id, *args, connection=connection, **options)
    return len(unique)


# The first ARGV[4] queues in KEYS must be empty; then the first non-empty queue among the rest is
# looked at: its head is taken off the queue and deleted in one step if its id starts with ARGV[1], it
# is still waiting and it runs ARGV[3]. Replies {position among the rest (1-based), id, data} or false.
_CLAIM_NEXT = """
local ahead = tonumber(ARGV[4])
for i = 1, ahead do
  if redis.call('llen', KEYS[i]) > 0 then return false end
end
for i = ahead + 1, #KEYS do
  local id = redis.call('lindex', KEYS[i], 0)
  if id then
    if string.sub(id, 1, string.len(ARGV[1])) ~= ARGV[1] then return false end
    local key = ARGV[2] .. id
    local fields = redis.call('hmget', key, 'status', 'description', 'data')
    if fields[1] ~= 'queued' or not fields[2] or string.sub(fields[2], 1, string.len(ARGV[3])) ~= ARGV[3] then
      return false
    end
    redis.call('lpop', KEYS[i])
    redis.call('del', key)
    return {i - ahead, id, fields[3]}
  end
end
return false
"""


def claim_next(queue_names: Sequence[str], func: str, id_prefix: str, *, ahead: Sequence[str],
               connection: redis.Redis) -> tuple[str, str, tuple[Any, ...]] | None:
    """Take the job a worker would run next out of RQ to run it in the caller: its queue, id and arguments.

    Only when the queues in `ahead` are empty and the head of the first non-empty queue of `queue_names`
    (looked at in that order, as the worker would) is a `func` job whose id starts with `id_prefix`.
    The job is removed from its queue and deleted atomically, so from that moment a change it would have
    absorbed (`enqueue_coalesced` finds no job) enqueues a new one: nothing is missed. Returns None when
    there is no such job.
    """
    keys = [queue_key(name) for name in (*ahead, *queue_names)]
    found = script(_CLAIM_NEXT)(keys, [id_prefix, Job.redis_job_namespace_prefix, f"{func}(", len(ahead)],
                                client=connection)
    if not found:
        return None
    job_id = found[1].decode() if isinstance(found[1], bytes) else str(found[1])
    job = Job(job_id, connection=connection)
    try:
        job.data = zlib.decompress(found[2])
    except zlib.error:
        job.data = found[2]
    return queue_names[int(found[0]) - 1], job_id, tuple(job.args)



def schedule_next_slot(runtime: "Runtime", name: str, func: str, interval: float, *, queue_name: str = MAINTENANCE,
                       args: tuple[Any, ...] | None = None, interval_arg: bool = True) -> str:
    """Schedule `func(interval)` (or `func(*args)`) at the start of the next slot unless it is already;
    returns the job id."""
    slot = int(time.time() // interval) + 1
    job_id = f"{name}-{slot}"
    try:
        Job.fetch(job_id, connection=runtime.redis)
        return job_id
    except NoSuchJobError:
        pass
    at = datetime.fromtimestamp(slot * interval, tz=timezone.utc)
    call_args = (interval,) if interval_arg else tuple(args or ())
    queue(queue_name, runtime.redis).enqueue_at(at, func, *call_args, job_id=job_id, result_ttl=int(interval) * 2,
                                                failure_ttl=7 * 24 * 3600)
    return job_id
