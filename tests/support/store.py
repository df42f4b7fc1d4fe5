"""A store extension simulated over the real hub client: it polls the hub's command queue, makes orders
and reports them, as docs/extension-api.md tells extensions to."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event


@dataclass
class StoreOrder:
    number: str
    tiktok_order_id: str
    lines: list[dict[str, Any]]
    order: dict[str, Any]
    cancelled: bool = False
    refunds: list[dict[str, Any]] = field(default_factory=list)


class FakeStore:
    """A store extension (simulated external system) that follows docs/extension-api.md rule 3.

    It keeps its own order table keyed by TikTok order id, so a re-delivered `order.create` finds the
    order it made before; its stock goes down when it creates an order and it reports the new absolute
    quantity through `inventory.update`, as a real extension does.
    """

    def __init__(self, client: HubClient, stock: dict[tuple[str, str], int] | None = None):
        self.client = client
        self.orders: dict[str, StoreOrder] = {}
        self.stock = dict(stock or {})
        self.lock = threading.Lock()
        self.crash_next_after_create = False
        self.fail_with: dict[str, Any] | None = None
        self.hold: threading.Event | None = None  # when set up, a create waits for it (to race a cancel)
        self.holding = threading.Event()
        self.received: list[dict[str, Any]] = []
        self.received_at: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.next_number = 1000
        self.polls = 0  # polls answered and handled: "the store has looked" is something a test can wait for

    def start(self) -> "FakeStore":
        self.stop.clear()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def close(self, wake: Callable[[], None] | None = None) -> None:
        """Stop polling. `wake` ends the long-poll in flight (the hub's own wake-up), so closing does not
        wait for it to time out."""
        self.stop.set()
        if wake is not None:
            wake()
        if self.thread:
            self.thread.join(timeout=15)

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                commands = self.client.poll_commands(wait=2, limit=50)
            except Exception:  # noqa: BLE001 - keep polling like a real cron would
                time.sleep(0.2)
                continue
            now = time.monotonic()
            for command in commands:
                self.received.append(command)
                key = (command["payload"].get("order") or command["payload"]).get("tiktok_order_id")
                self.received_at.setdefault(str(key), now)
                result = self.handle(command)
                if result is None:
                    continue  # crashed before reporting: the lease runs out and the hub hands it out again
                try:
                    self.client.report_result(command["id"], result)
                except Exception:  # noqa: BLE001
                    pass
            self.polls += 1

    def looked(self, times: int = 1) -> None:
        """Wait until the store has polled the hub `times` more times and handled what it got."""
        from tests.support.waiting import wait_until

        target = self.polls + times
        wait_until(lambda: self.polls >= target, what=f"{times} more store poll(s)")

    def handle(self, command: dict[str, Any]) -> dict[str, Any] | None:
        if command["type"] == "order.create":
            return self._create(command["payload"]["order"])
        if command["type"] == "order.cancel":
            with self.lock:
                found = self.orders.get(command["payload"]["tiktok_order_id"])
                if found is None:
                    return {"status": "failed", "reason": "PLATFORM_ERROR", "message": "no such order",
                            "retryable": False}
                found.cancelled = True
                return {"status": "done", "platform_order_id": found.number}
        if command["type"] == "order.refund":
            return self._refund(command["payload"])
        return {"status": "done"}

    def _refund(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Rule 7: one store refund per TikTok return; restock the lines marked `restock`."""
        with self.lock:
            found = self.orders.get(payload["tiktok_order_id"])
            if found is None:
                return {"status": "failed", "reason": "PLATFORM_ERROR", "message": "no such order", "retryable": False}
            if self.fail_with is not None:
                return dict(self.fail_with)
            made = next((x for x in found.refunds if x["tiktok_return_id"] == payload["tiktok_return_id"]), None)
            if made is None:
                made = {"id": f"{found.number}-R{len(found.refunds) + 1}", **payload}
                found.refunds.append(made)
                for line in payload["lines"]:
                    key = (line["product_id"], line["variant_id"])
                    if line["restock"] and key in self.stock:
                        self.stock[key] += line["quantity"]
            return {"status": "done", "platform_order_id": found.number, "platform_refund_id": made["id"]}

    def _create(self, order: dict[str, Any]) -> dict[str, Any] | None:
        tid = order["tiktok_order_id"]
        if self.hold is not None:
            self.holding.set()
            self.hold.wait(20)
        with self.lock:
            existing = self.orders.get(tid)
            if existing is not None:  # rule 3: report the order made before, never a second one
                return {"status": "done", "platform_order_id": existing.number}
            if self.fail_with is not None:
                return dict(self.fail_with)
            self.next_number += 1
            made = StoreOrder(str(self.next_number), tid, order["lines"], order)
            self.orders[tid] = made
            changed = []
            for line in order["lines"]:
                key = (line["product_id"], line["variant_id"])
                if key in self.stock:
                    self.stock[key] -= line["quantity"]
                    changed.append({"product_id": key[0], "variant_id": key[1], "quantity": self.stock[key],
                                    "price": None, "version": time.time_ns() // 1000})
            crash = self.crash_next_after_create
            self.crash_next_after_create = False
        if changed:
            self.client.send_events([new_event("inventory.update", items=changed)])
        if crash:
            return None
        return {"status": "done", "platform_order_id": made.number}

    def send(self, type_: str, **fields: Any) -> list[dict[str, Any]]:
        return self.client.send_events([new_event(type_, **fields)])
