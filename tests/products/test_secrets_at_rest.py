"""After a run with TikTok connected, no plaintext secret is in the database, in Redis or in any log.

The run: the shop is connected (code exchange), products are sent by a store over the signed Extension
API and listed on the TikTok sandbox with their pictures, review webhooks arrive, the access token is
refreshed, stock changes are pushed. Everything every logger wrote (at DEBUG, including the libraries
and the sandbox's own request log), every row of every table and every Redis key and value (RQ's
compressed job data decompressed) is then searched for the TikTok tokens, the app secret, the store's
secret and the hub's secret key. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy import select

from hub.app import create_app
from hub.merchants import create_store
from hub.models import Merchant, TikTokShop
from hub.sync.stock.schedule import after_stock_changes
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from tests.conftest import LiveServer
from tests.products.conftest import APP_SECRET
from tests.support.secrets import captured_logs, database_dump, plaintext_found, redis_dump, tiktok_tokens


@pytest.fixture()
def logs() -> Iterator[io.StringIO]:
    with captured_logs() as buffer:
        yield buffer


def test_a_run_with_tiktok_connected_leaves_no_plaintext_secret(logs, shop) -> None:  # noqa: ANN001
    runtime = shop.runtime
    secrets = {"app secret": APP_SECRET, "hub secret key": runtime.settings.secret_key}
    secrets.update({f"token {n}": token for n, token in enumerate(tiktok_tokens(runtime))})
    with runtime.db.session_scope() as session:
        store, store_secret = create_store(session, runtime.secrets, session.get(Merchant, shop.merchant_id),
                                           "woocommerce", "Second shop")
        key_id = store.key_id
    secrets["store secret"] = store_secret

    # A store over the signed Extension API, and the listing engine against the sandbox.
    with LiveServer(create_app(runtime=runtime)) as hub:
        client = HubClient(hub.url, key_id, store_secret, max_retries=0)
        assert client.ping()["store_name"] == "Second shop"
        assert client.send_events([new_event("product.upsert", product=shop.product("201"))])[0]["status"] == "accepted"
        assert client.poll_commands(wait=0) == []
    shop.push(shop.product("101"))
    shop.map()
    assert shop.listing("101").tiktok_product_id
    shop.deliver_webhooks(create_app(runtime=runtime).test_client(), set())

    # The access token is refreshed before the next call; the stock change goes out with the new one.
    with runtime.db.session_scope() as session:
        session.scalar(select(TikTokShop)).access_token_expires_at = datetime.now(timezone.utc) + timedelta(minutes=5)
    product = shop.product("101")
    product["variants"][0]["quantity"] = 3
    shop.push(product, run=False)
    after_stock_changes(runtime, shop.store_id, {"101"})
    shop.work()
    assert shop.sandbox.calls("POST /product/202309/products/{product_id}/inventory/update") >= 1
    refreshed = tiktok_tokens(runtime)
    assert refreshed - set(secrets.values()), "the token was not refreshed"
    secrets.update({f"refreshed token {n}": token for n, token in enumerate(refreshed)})

    places = {"logs": logs.getvalue(), "database": database_dump(runtime), "Redis": redis_dump(runtime.redis)}
    assert "token/refresh" in places["logs"] and "POST /api/v1/events" in places["logs"]  # the run was logged
    assert plaintext_found(secrets, places) == []
