"""What every hosted-app world shares (Fakeshop, Shopify, BigCommerce): the TikTok sandbox's control
API, jobs run in this process, a merchant's browser on the settings page, and the rows an install made.

Jobs run with RQ's SimpleWorker in burst mode (`world.work()`), so a test drives the pipeline step by
step and waits for observable end states, never for fixed times.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import requests
from rq import SimpleWorker
from sqlalchemy import select

from hub.models import ProductSnapshot, StoreCredential
from hub.queues import all_queues
from hub.runtime import Runtime
from tests.support import waiting

EMAIL = "owner@acme.example"
PASSWORD = "correct horse battery"


def wait_until(fn: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05, what: str = "condition",
               work: Callable[[], None] | None = None, detail: Callable[[], Any] | None = None) -> Any:
    """`tests.support.waiting.wait_until`, running `work` (the jobs) before each look and adding
    `detail()` to the failure message."""
    def look() -> Any:
        if work is not None:
            work()
        return fn()

    try:
        return waiting.wait_until(look, timeout, interval, what)
    except AssertionError as problem:
        if detail is None:
            raise
        raise AssertionError(f"{problem}; {detail()!r}") from None


class Browser:
    """A requests session posting forms as a browser does (the CSRF token read from the page)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(path if path.startswith("http") else self.base + path, timeout=10, **kwargs)

    def post_form(self, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        html = self.get(page).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token, "the page has no CSRF token"
        target = action if action.startswith("http") else self.base + action
        return self.http.post(target, data={"csrf_token": token.group(1), **data}, timeout=10, **kwargs)


class HostedWorld:
    """A live hub and TikTok sandbox with one hosted-app connector registered; subclasses add the
    platform's own steps (install, its fake's admin pages). `shop` is the platform's shop id (a Shopify
    domain, a BigCommerce store hash)."""

    default_shop = ""
    wait_interval = 0.1

    def __init__(self, runtime: Runtime, sandbox_url: str, connector: Any, hub_url: str, merchant_id: str):
        self.runtime, self.sandbox_url, self.connector = runtime, sandbox_url, connector
        self.hub_url, self.merchant_id = hub_url, merchant_id
        self.sandbox = requests.Session()

    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = self.sandbox.request(method, f"{self.sandbox_url}/sandbox{path}", json=json, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def work(self) -> None:
        SimpleWorker(all_queues(self.runtime.redis), connection=self.runtime.redis).work(
            burst=True, with_scheduler=True, logging_level="WARNING")

    def wait(self, fn: Callable[[], Any], what: str, timeout: float = 30.0,
             detail: Callable[[], Any] | None = None) -> Any:
        return wait_until(fn, timeout, interval=self.wait_interval, what=what, work=self.work, detail=detail)

    def browser(self) -> Browser:
        """The merchant signed in to the settings page."""
        browser = Browser(self.hub_url)
        response = browser.post_form("/login", "/login", {"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 200 and "Overview" in response.text
        return browser

    def credential(self, shop: str | None = None) -> StoreCredential:
        with self.runtime.db.session_scope() as session:
            row = session.scalar(select(StoreCredential).where(
                StoreCredential.platform == self.connector.platform,
                StoreCredential.shop_id == (shop or self.default_shop)))
            assert row is not None, "the store is not installed"
            session.expunge(row)
            return row

    def store_id(self, shop: str | None = None) -> str:
        return self.credential(shop).store_id

    def snapshot(self, product_id: int | str, shop: str | None = None) -> dict[str, Any] | None:
        with self.runtime.db.session_scope() as session:
            row = session.scalar(select(ProductSnapshot).where(ProductSnapshot.store_id == self.store_id(shop),
                                                              ProductSnapshot.product_id == str(product_id)))
            return dict(row.data) if row is not None else None
