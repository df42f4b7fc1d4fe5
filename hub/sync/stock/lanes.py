"""Which bulk lane a storming store's pushes go on: a lane of its own while it storms.

One first-in-first-out bulk queue made a second storming store wait behind the first one's whole
backlog while its own TikTok shop's budget sat idle (each shop has its own, hub/tiktok/ratelimit.py).
The bulk position is therefore several RQ queues (`STOCK_BULK_LANES`, hub/queues.py) that workers take
in turn. A store entering a storm is given the lane fewest storming stores hold (the shortest queue
among those, then the lowest number), in one Redis script shared by every web process and worker; it
keeps it while it storms and for `HOLD_SECONDS` after its last storm push, so up to `BULK_LANES` stores
storming at once never share a lane, and more share as the single queue did.

A product's waiting push job keeps its lane: job ids do not name the lane, so a store given another
lane later still coalesces new changes into that waiting job (hub/queues.py `enqueue_coalesced_many`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.queues import STOCK_BULK_LANES, queue_key, script

if TYPE_CHECKING:
    from hub.runtime import Runtime

HOLD_SECONDS = 60
LANES_KEY = "hub:stock:bulk-lane"  # hash: store id -> lane number
HOLDERS_KEY = "hub:stock:bulk-lane-until"  # sorted set: store id -> end of its hold (ms, Redis clock)

# The lane choice, shared by both scripts below: `lanes` is the hash, `holds` the sorted set, `queues`
# every lane's RQ queue key. Holds that ended are dropped first; a store without a lane gets the one
# fewest stores hold, the shortest queue among those, then the lowest number; its hold is renewed.
_LANE_OF = """
local function lane_of(lanes, holds, queues, store, hold_ms)
  local now_parts = redis.call('time')
  local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
  local ended = redis.call('zrangebyscore', holds, '-inf', now)
  for _, ended_store in ipairs(ended) do
    redis.call('hdel', lanes, ended_store)
  end
  redis.call('zremrangebyscore', holds, '-inf', now)
  local lane = tonumber(redis.call('hget', lanes, store) or '')
  if lane == nil or lane >= #queues or redis.call('zscore', holds, store) == false then
    local holders = {}
    for i = 0, #queues - 1 do holders[i] = 0 end
    for _, held in ipairs(redis.call('hvals', lanes)) do
      local n = tonumber(held)
      if n ~= nil and holders[n] ~= nil then holders[n] = holders[n] + 1 end
    end
    local best, best_holders, best_length = nil, nil, nil
    for i = 0, #queues - 1 do
      local length = redis.call('llen', queues[i + 1])
      if best == nil or holders[i] < best_holders or (holders[i] == best_holders and length < best_length) then
        best, best_holders, best_length = i, holders[i], length
      end
    end
    lane = best
    redis.call('hset', lanes, store, lane)
  end
  redis.call('zadd', holds, now + tonumber(hold_ms), store)
  return lane
end
local queues = {}
for i = first_queue, #KEYS do queues[#queues + 1] = KEYS[i] end
"""

# KEYS: the lanes hash, the holds sorted set, every lane's queue key; ARGV: store id, hold ms. The lane.
_TAKE_LANE = "local first_queue = 3\n" + _LANE_OF + """
return lane_of(KEYS[1], KEYS[2], queues, ARGV[1], ARGV[2])
"""

# The same with the store's storm window third (before the queues); ARGV: store id, hold ms, pushes,
# window ms, storm pushes. The pushes are counted into the window (started at zero by its first push,
# INCRBY keeps its expiry); a store within the storm pushes is not storming: -1, else its lane.
_STORM_LANE = "local first_queue = 4\n" + _LANE_OF + """
local window = KEYS[3]
redis.call('set', window, 0, 'NX', 'PX', tonumber(ARGV[4]))
if redis.call('incrby', window, tonumber(ARGV[3])) <= tonumber(ARGV[5]) then return -1 end
return lane_of(KEYS[1], KEYS[2], queues, ARGV[1], ARGV[2])
"""


def _queue_keys() -> list[str]:
    return [queue_key(name) for name in STOCK_BULK_LANES]


def bulk_lane(runtime: "Runtime", store_id: str) -> str:
    """The bulk lane (RQ queue name) of a storming store, taking one if it holds none; renews its hold."""
    lane = int(script(_TAKE_LANE)([LANES_KEY, HOLDERS_KEY, *_queue_keys()], [store_id, HOLD_SECONDS * 1000],
                                  client=runtime.redis))
    return STOCK_BULK_LANES[lane % len(STOCK_BULK_LANES)]


def storm_lane(runtime: "Runtime", store_id: str, pushes: int, *, window_ms: int, storm_pushes: int) -> str | None:
    """Count `pushes` into the store's storm window; past `storm_pushes` in it, the store is storming and
    this is its bulk lane (as `bulk_lane`), else None. One round trip for both: this runs on every
    Extension API batch with stock changes."""
    lane = int(script(_STORM_LANE)([LANES_KEY, HOLDERS_KEY, f"hub:stock:storm:{store_id}", *_queue_keys()],
                                   [store_id, HOLD_SECONDS * 1000, pushes, window_ms, storm_pushes],
                                   client=runtime.redis))
    return None if lane < 0 else STOCK_BULK_LANES[lane % len(STOCK_BULK_LANES)]
