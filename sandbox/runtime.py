"""Background machinery: a timer scheduler (reviews, webhook retries) and the webhook sender."""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request

from .signing import webhook_signature

log = logging.getLogger("sandbox")

EVENT_TYPES = {
    1: "ORDER_STATUS_CHANGE", 2: "REVERSE_STATUS_UPDATE", 3: "RECIPIENT_ADDRESS_UPDATE", 4: "PACKAGE_UPDATE",
    5: "PRODUCT_STATUS_CHANGE", 6: "SELLER_DEAUTHORIZATION", 7: "UPCOMING_AUTHORIZATION_EXPIRATION",
    11: "CANCELLATION_STATUS_CHANGE", 12: "RETURN_STATUS_CHANGE", 15: "PRODUCT_INFORMATION_CHANGE",
    16: "PRODUCT_CREATION", 18: "PRODUCT_CATEGORY_CHANGE", 37: "PRODUCT_AUDIT_STATUS_CHANGE",
}
EVENT_NAMES = {v: k for k, v in EVENT_TYPES.items()}


class Scheduler:
    """One daemon thread running callables at due times."""

    def __init__(self):
        self._heap: list = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sandbox-scheduler", daemon=True)
        self._thread.start()

    def call_later(self, delay: float, fn, *args):
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay), next(self._seq), fn, args))
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=2)

    def _run(self):
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = None if not self._heap else max(0.0, self._heap[0][0] - time.monotonic())
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _, _, fn, args = heapq.heappop(self._heap)
            try:
                fn(*args)
            except Exception:  # pragma: no cover - a failing job must not kill the thread
                log.exception("sandbox scheduled job failed")


# TikTok's published samples of these older notification types carry no `tts_notification_id`
# (docs/tiktok-client.md, "Webhooks without tts_notification_id"); the newer product types do.
TYPES_WITHOUT_NOTIFICATION_ID = frozenset({1, 3, 4, 5, 6, 7, 11, 12})


class WebhookDispatcher:
    """Builds, signs, logs and POSTs webhooks in background threads.

    One sender (the default) delivers in emission order, which keeps tests readable. TikTok itself
    promises no order and delivers from many machines at once; `senders` > 1 does the same, so an order
    storm reaches the receiver at the rate it can take rather than one request at a time."""

    TIMEOUT = 3.0

    def __init__(self, runtime, senders: int = 1):
        self.runtime = runtime
        self._queue: queue.Queue = queue.Queue()
        self._threads = [threading.Thread(target=self._run, name=f"sandbox-webhooks-{n}", daemon=True)
                         for n in range(max(1, senders))]
        for thread in self._threads:
            thread.start()

    def stop(self):
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    # Called with the runtime lock held.
    def emit(self, state, shop_id: str, event_type: int, data: dict) -> dict:
        app_key, app_secret = self.runtime.app_key, self.runtime.app_secret
        now = int(time.time())
        notification_id = state.notification_ids.next()
        payload = {"type": event_type, "tts_notification_id": notification_id,
                   "shop_id": shop_id, "timestamp": now, "data": data}
        shop = state.shops.get(shop_id)
        if shop and shop["settings"].get("legacy_webhook_envelopes") and event_type in TYPES_WITHOUT_NOTIFICATION_ID:
            del payload["tts_notification_id"]
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        signature = webhook_signature(app_key, app_secret, body)
        name = EVENT_TYPES.get(event_type, str(event_type))
        url = (state.event_subscriptions.get(shop_id, {}).get(name) or {}).get("address") or state.webhook_url
        entry = {"id": notification_id, "type": event_type, "event_type": name,
                 "shop_id": shop_id, "url": url, "payload": payload, "body": body.decode("utf-8"),
                 "signature": signature, "status": "queued" if url else "no_url", "attempts": [],
                 "created_at": time.time()}
        state.webhook_log.append(entry)
        if url:
            state.webhooks_sent += 1
            self._queue.put((self.runtime.epoch, entry, 0))
        return entry

    def _retry(self, epoch, entry, attempt):
        self._queue.put((epoch, entry, attempt))

    def _run(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            epoch, entry, attempt = item
            if epoch != self.runtime.epoch:
                continue
            status, error = None, None
            try:
                req = urllib.request.Request(entry["url"], data=entry["body"].encode("utf-8"), method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": entry["signature"],
                                                      "User-Agent": "TikTokShop-Webhook-Sandbox"})
                with urllib.request.urlopen(req, timeout=self.TIMEOUT) as resp:
                    status = resp.status
                    resp.read()
            except urllib.error.HTTPError as exc:
                status = exc.code
            except Exception as exc:  # connection refused, timeout, ...
                error = f"{type(exc).__name__}: {exc}"
            delivered = status in (200, 401) and error is None
            delays = self.runtime.webhook_retry_delays
            with self.runtime.lock:
                if epoch != self.runtime.epoch:
                    continue
                entry["attempts"].append({"at": time.time(), "http_status": status, "error": error})
                if delivered:
                    entry["status"] = "delivered"
                elif attempt < len(delays):
                    entry["status"] = "retrying"
                    self.runtime.scheduler.call_later(delays[attempt], self._retry, epoch, entry, attempt + 1)
                else:
                    entry["status"] = "failed"
