"""The BigCommerce app's configuration, read from the environment once, when the connector is built.

The client id and secret are the app's (BigCommerce Developer Portal); the app id is the number in the
app's marketplace listing, which orders created by an app must carry in `external_source`. The hosts are
BigCommerce's; they are settings only so that the tests, the benchmarks and `hub demo` can point the
connector at the fake BigCommerce on loopback (`plugins/bigcommerce/fake/`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

API_URL = "https://api.bigcommerce.com"
LOGIN_URL = "https://login.bigcommerce.com"
# The control panel that frames the app's page; `{store_hash}` is filled in per store.
ADMIN_ORIGIN = "https://store-{store_hash}.mybigcommerce.com"
# The order status the app creates orders in (docs: plugins/bigcommerce/README.md, "Orders").
AWAITING_FULFILLMENT = 11


@dataclass(frozen=True)
class BigCommerceConfig:
    client_id: str
    client_secret: str
    app_id: str
    api_url: str = API_URL
    login_url: str = LOGIN_URL
    admin_origin: str = ADMIN_ORIGIN
    order_status_id: int = AWAITING_FULFILLMENT

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def external_source(self) -> str:
        """What BigCommerce shows as the order's source; its App Marketplace requires the app id in it."""
        return f"{self.app_id} TikTok Shop" if self.app_id else "TikTok Shop"

    def install_link(self) -> str:
        """BigCommerce's direct install link for the app (the merchant signs in and approves there)."""
        return f"{self.login_url}/app/{self.app_id or self.client_id}/install"


def from_environment(environ: Mapping[str, str] | None = None) -> BigCommerceConfig:
    env = os.environ if environ is None else environ
    status = (env.get("HUB_BIGCOMMERCE_ORDER_STATUS_ID") or "").strip()
    return BigCommerceConfig(
        client_id=(env.get("HUB_BIGCOMMERCE_CLIENT_ID") or "").strip(),
        client_secret=(env.get("HUB_BIGCOMMERCE_CLIENT_SECRET") or "").strip(),
        app_id=(env.get("HUB_BIGCOMMERCE_APP_ID") or "").strip(),
        api_url=(env.get("HUB_BIGCOMMERCE_API_URL") or API_URL).rstrip("/"),
        login_url=(env.get("HUB_BIGCOMMERCE_LOGIN_URL") or LOGIN_URL).rstrip("/"),
        admin_origin=(env.get("HUB_BIGCOMMERCE_ADMIN_ORIGIN") or ADMIN_ORIGIN).rstrip("/"),
        order_status_id=int(status) if status.isdigit() else AWAITING_FULFILLMENT,
    )
