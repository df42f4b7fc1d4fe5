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

from hub.queues import STOCK_BULK_LANES, queue

if TYPE_CHECKING:
    from hub.runtime import Runtime

HOLD_SECONDS = 60
LANES_KEY = "hub:stock:bulk-lane"  # hash: store id -> lane number
HOLDERS_KEY = "hub:stock:bulk-lane-until"  # sorted set: store id -> end of its hold (ms, Redis clock)

# KEYS: the lanes hash, the holds sorted set, then every lane's RQ queue key; ARGV: store id, hold ms.
# Holds that ended are dropped first; a store without a lane gets the one fewest stores hold, the
# shortest queue among those, then the lowest number. Returns the store's lane number.
_TAKE_LANE = """
local now_parts = redis.call('time')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local ended = redis.call('zrangebyscore', KEYS[2], '-inf', now)
for _, store in ipairs(ended) do
  redis.call('hdel', KEYS[1], store)
end
redis.call('zremrangebyscore', KEYS[2], '-inf', now)
local lane = tonumber(redis.call('hget', KEYS[1], ARGV[1]) or '')
if lane == nil or lane >= #KEYS - 2 or redis.call('zscore', KEYS[2], ARGV[1]) == false then
  local holders = {}
  for i = 0, #KEYS - 3 do holders[i] = 0 end
  for _, held in ipairs(redis.call('hvals', KEYS[1])) do
    local n = tonumber(held)
    if n ~= nil and holders[n] ~= nil then holders[n] = holders[n] + 1 end
  end
  local best, best_holders, best_length = nil, nil, nil
  for i = 0, #KEYS - 3 do
    local length = redis.call('llen', KEYS[i + 3])
    if best == nil or holders[i] < best_holders or (holders[i] == best_holders and length < best_length) then
      best, best_holders, best_length = i, holders[i], length
    end
  end
  lane = best
  redis.call('hset', KEYS[1], ARGV[1], lane)
end
redis.call('zadd', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return lane
"""


def bulk_lane(runtime: "Runtime", store_id: str) -> str:
    """The bulk lane (RQ queue name) of a storming store, taking one if it holds none; renews its hold."""
    keys = [LANES_KEY, HOLDERS_KEY, *(queue(name, runtime.redis).key for name in STOCK_BULK_LANES)]
    lane = int(runtime.redis.eval(_TAKE_LANE, len(keys), *keys, store_id, HOLD_SECONDS * 1000))
    return STOCK_BULK_LANES[lane % len(STOCK_BULK_LANES)]
