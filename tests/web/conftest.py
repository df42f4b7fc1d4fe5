"""Settings-page fixtures: a live hub over real HTTP, merchants with users, and a logged-in browser-like client."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
import requests

from hub.merchants import create_user, find_or_create_merchant
from hub.runtime import Runtime
from tests.conftest import add_store

PASSWORD = "correct horse battery"


def add_user(runtime: Runtime, email: str, merchant: str) -> dict[str, str]:
    with runtime.db.session_scope() as session:
        owner = find_or_create_merchant(session, merchant)
        user = create_user(session, owner, email, PASSWORD)
        return {"email": user.email, "merchant_id": owner.id}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Browser:
    """A requests session that behaves like a form-posting browser (reads the CSRF token from the page)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base + path, timeout=10, **kwargs)

    def post_form(self, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        token = csrf_from(self.get(page).text)
        return self.http.post(self.base + action, data={"csrf_token": token, **data}, timeout=10, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post_form("/login", "/login", {"email": email, "password": password})


@pytest.fixture()
def merchant_a(runtime: Runtime) -> dict[str, str]:
    store = add_store(runtime, merchant="Acme Socks", name="Acme WooCommerce")
    user = add_user(runtime, "owner@acme.example", "Acme Socks")
    return {**store, **user}


@pytest.fixture()
def merchant_b(runtime: Runtime) -> dict[str, str]:
    store = add_store(runtime, merchant="Other Shop", name="Other Magento", platform="magento2")
    user = add_user(runtime, "owner@other.example", "Other Shop")
    return {**store, **user}


@pytest.fixture()
def browser(live_hub: Any) -> Iterator[Browser]:
    b = Browser(live_hub.url)
    yield b
    b.http.close()


@pytest.fixture()
def logged_in(browser: Browser, merchant_a: dict[str, str]) -> Browser:
    response = browser.login(merchant_a["email"])
    assert response.status_code == 200 and "Overview" in response.text
    return browser
