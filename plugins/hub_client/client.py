"""A signed, retrying client for the Extension API v1 (docs/extension-api.md).

Retries follow the hub's contract: 429 and 5xx are retried with exponential backoff and jitter,
honouring `Retry-After`; 4xx other than 429 are the caller's error and raise at once. Every retry is
re-signed, because the signature covers a timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from typing import Any, Callable, Iterable, Iterator

import requests

MAX_EVENTS_PER_CALL = 500
MAX_BODY_BYTES = 9 * 1024 * 1024  # stays under the hub's 10 MB limit with headroom


class HubClientError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def sign_request(secret: str, timestamp: str, method: str, path_with_query: str, body: bytes) -> str:
    message = f"{timestamp}\n{method.upper()}\n{path_with_query}\n".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_event(type_: str, **fields: Any) -> dict[str, Any]:
    """An event with a fresh UUID: the id is the idempotency key, so keep it when retrying."""
    return {"id": str(uuid.uuid4()), "type": type_, **fields}


class HubClient:
    def __init__(self, base_url: str, key_id: str, secret: str, *, timeout: float = 10.0, max_retries: int = 5,
                 backoff: float = 0.5, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.key_id, self.secret = key_id, secret
        self.timeout, self.max_retries, self.backoff = timeout, max_retries, backoff
        self.session = session or requests.Session()
        self.session.headers.update({"Content-Type": "application/json", "User-Agent": "tiktok-shop-sync-client/1"})

    # -- transport -------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
                timeout: float | None = None) -> Any:
        raw = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        prepared = requests.Request(method, self.base_url + path, params=params).prepare()
        path_with_query = prepared.path_url  # exactly what goes on the wire
        for attempt in range(self.max_retries + 1):
            timestamp = str(int(time.time()))
            headers = {"X-Hub-Key": self.key_id, "X-Hub-Timestamp": timestamp,
                       "X-Hub-Signature": sign_request(self.secret, timestamp, method, path_with_query, raw)}
            try:
                response = self.session.request(method, str(prepared.url), data=raw or None, headers=headers,
                                                timeout=timeout or self.timeout)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                # ChunkedEncodingError: the connection broke mid-answer (e.g. the hub restarting during a
                # long-poll). Every call is safe to repeat: events and results are idempotent.
                if attempt == self.max_retries:
                    raise HubClientError(0, "unreachable", f"The hub did not answer: {exc}") from exc
                time.sleep(self._delay(attempt, None))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == self.max_retries:
                    raise self._error(response)
                time.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code >= 400:
                raise self._error(response)
            return response.json()
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                pass
        return self.backoff * (2 ** attempt) * (0.5 + random.random() / 2)

    @staticmethod
    def _error(response: requests.Response) -> HubClientError:
        try:
            error = response.json()["error"]
            return HubClientError(response.status_code, error["code"], error["message"], error.get("details"))
        except (ValueError, KeyError, TypeError):
            return HubClientError(response.status_code, "http_error", response.text[:200])

    # -- endpoints -------------------------------------------------------------------------------
    def ping(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/ping")

    def send_events(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send any number of events in batches of at most 500 events and ~9 MB; results in order."""
        results: list[dict[str, Any]] = []
        for batch in self._batches(list(events)):
            results.extend(self.request("POST", "/api/v1/events", body={"events": batch})["results"])
        return results

    @staticmethod
    def _batches(events: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        batch: list[dict[str, Any]] = []
        size = 0
        for event in events:
            event_size = len(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()) + 1
            if batch and (len(batch) >= MAX_EVENTS_PER_CALL or size + event_size > MAX_BODY_BYTES):
                yield batch
                batch, size = [], 0
            batch.append(event)
            size += event_size
        if batch:
            yield batch

    def upsert_products(self, products: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.send_events(new_event("product.upsert", product=p) for p in products)

    def poll_commands(self, wait: int = 25, limit: int = 10) -> list[dict[str, Any]]:
        return self.poll(wait, limit)["commands"]

    def poll(self, wait: int = 25, limit: int = 10) -> dict[str, Any]:
        """The whole commands answer: `commands`, and `retry_after` (seconds) when the hub answered at once
        because enough of this store's polls are already waiting (docs/extension-api.md, rule 5)."""
        return self.request("GET", "/api/v1/commands", params={"wait": wait, "limit": limit},
                            timeout=wait + self.timeout)

    def report_result(self, command_id: str, result: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"/api/v1/commands/{command_id}/result", body=result)

    def product_status(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        return self.request("GET", "/api/v1/products/status", params={"ids": ",".join(ids)})["products"]

    def run_command_loop(self, handle: Callable[[dict[str, Any]], dict[str, Any]], *, stop: threading.Event,
                         wait: int = 25) -> None:
        """Long-poll until `stop` is set; `handle(command)` returns the result to report.

        A handler exception is reported as a retryable PLATFORM_ERROR so the hub can retry it later
        instead of waiting for the lease to run out.
        """
        while not stop.is_set():
            try:
                answer = self.poll(wait=wait)
            except HubClientError:
                stop.wait(self.backoff)
                continue
            commands = answer.get("commands") or []
            if not commands and answer.get("retry_after"):
                stop.wait(float(answer["retry_after"]))  # other polls of this store are waiting already
                continue
            for command in commands:
                try:
                    result = handle(command)
                except Exception as exc:  # noqa: BLE001 - any store failure becomes a reported result
                    result = {"status": "failed", "reason": "PLATFORM_ERROR", "message": str(exc)[:500],
                              "retryable": True}
                try:
                    self.report_result(command["id"], result)
                except HubClientError:
                    pass  # the lease expires and the command comes back; the handler is idempotent
