"""A real order handler for routing tests: records, in Redis, what the notification job hands it.

Redis rather than memory, because an RQ worker runs each job in a forked child process.
"""

from __future__ import annotations

import json
from typing import Any

KEY = "test:tiktok:handled"


def on_notification(session: Any, shop: Any, notification: Any) -> None:
    from hub.runtime import current

    current().redis.rpush(KEY, json.dumps({"shop_id": shop.shop_id, "type": notification.type,
                                           "order_id": notification.payload["data"].get("order_id"),
                                           "in_session": notification in session}))


def unavailable(session: Any, shop: Any, notification: Any) -> None:
    from hub.errors import RetryableError

    raise RetryableError("TikTok is unavailable")


def broken(session: Any, shop: Any, notification: Any) -> None:
    raise RuntimeError("handler bug")


def received(connection: Any) -> list[dict[str, Any]]:
    return [json.loads(item) for item in connection.lrange(KEY, 0, -1)]
