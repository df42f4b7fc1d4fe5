"""The store-connector protocol: what a platform's connector is, and what a hosted one implements.

Two kinds of connector reach the hub:
- an *extension* connector describes a platform whose code runs inside the store (WooCommerce,
  Magento 2, the demo store). It has no behaviour here: its extension speaks the Extension API
  (docs/extension-api.md), signs with the store's key and long-polls for commands.
- a *hosted* connector is a Python package (in `plugins/<platform>/`) for a platform that runs no code
  of ours (Shopify, BigCommerce). The hub runs it in its own web process and workers: it installs the
  app, verifies the platform's webhooks, reads products into canonical events and carries out
  commands through the platform's API. docs/store-connectors.md is the guide for writing one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from flask import Blueprint, Request

    from hub.stores.context import ConnectorContext
    from hub.stores.privacy import PrivacyRequest

EXTENSION, HOSTED = "extension", "hosted"


@runtime_checkable
class StoreConnector(Protocol):
    """What the hub knows about every platform, whatever its kind."""

    @property
    def platform(self) -> str:
        """Stored in `stores.platform`: lower-case letters and digits, at most 20 characters."""

    @property
    def label(self) -> str:
        """The platform's own name, as the merchant reads it ("WooCommerce")."""

    @property
    def kind(self) -> str:
        """EXTENSION or HOSTED."""

    @property
    def option_word(self) -> str:
        """The store's word for a variant's option types ("attributes" / "options")."""


@dataclass(frozen=True)
class ExtensionConnector:
    """A platform whose in-store extension speaks the Extension API (keys, leases, long-poll)."""

    platform: str
    label: str
    option_word: str = "attributes"
    # Listed under "Add a store" on the settings page and accepted by `hub store add`.
    creatable: bool = True
    kind: str = EXTENSION


@dataclass(frozen=True)
class Grant:
    """The platform's answer to an install or a refresh: tokens and when they expire (None: never)."""

    access_token: str
    expires_at: datetime | None = None
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Installation:
    """A verified install, handed to `hub.stores.install.complete_install` by the connector."""

    shop_id: str  # the platform's own identifier of the shop, unique per platform
    shop_name: str
    grant: Grant
    details: dict[str, Any] = field(default_factory=dict)  # non-secret facts the connector wants back


@dataclass(frozen=True)
class Notification:
    """A webhook the connector verified: which shop, what happened, and the key that makes it unique."""

    shop_id: str
    topic: str
    dedupe_key: str
    payload: dict[str, Any]


class WebhookRejected(Exception):
    """The webhook's signature (or shape) is not the platform's: the hub answers 401 and stores nothing."""


class HostedConnector(ABC):
    """Base class of a hosted connector. Subclasses set the class attributes and implement the methods.

    Every method that talks to the platform receives a `ConnectorContext`, the hub's side of the
    boundary: the store and shop it is about, an access token refreshed before expiry, and
    `ctx.http(...)`, the rate-limited platform client. Errors are the hub's four kinds
    (`hub.errors`): `RetryableError` is retried with backoff, `AuthError` marks the connection broken and
    parks the work, `DataError` is shown with its reason. Canonical events are the Extension API's
    (`product.upsert`, `product.delete`, `inventory.update`, `store.update`, `order.fulfilled`,
    `order.cancelled`, `order.refunded`, docs/extension-api.md), without `id`: the hub gives each a stable one.
    """

    platform: ClassVar[str]
    label: ClassVar[str]
    option_word: ClassVar[str] = "options"
    kind: ClassVar[str] = HOSTED

    # ---- web: install, frames, webhooks --------------------------------------------------------
    def blueprint(self) -> "Blueprint | None":
        """Routes the platform calls in a browser (install, OAuth callback, the admin's app page).

        Mounted at `/stores/<platform>/`. The hub's own route `POST /stores/<platform>/webhooks` takes
        webhooks; a connector needing more webhook addresses calls `hub.stores.webhooks.receive`.
        """
        return None

    def install_url(self, shop: str, state: str) -> str:
        """Where to send a merchant who starts the install from the hub's Stores page (`shop` is what
        they typed). Raise `DataError` with a sentence for the merchant when the platform only installs
        from its own marketplace or the shop is not valid."""
        from hub.errors import DataError

        raise DataError(f"{self.label} stores are connected from {self.label}'s own app listing.",
                        code="install_from_platform")

    @abstractmethod
    def verify_webhook(self, request: "Request") -> Notification:
        """Check the webhook's signature over the raw body (`request.get_data()`); raise WebhookRejected."""

    @abstractmethod
    def admin_origins(self, shop_id: str, details: dict[str, Any]) -> list[str]:
        """The origins of the platform's admin that may frame this shop's settings page."""

    def maintain(self, ctx: "ConnectorContext") -> None:
        """Periodic upkeep on the platform, run by every sweep before `store_info` (and so right after
        install): e.g. re-subscribe webhooks the platform deactivated. The default does nothing."""
        return None

    # ---- reading the store ---------------------------------------------------------------------
    @abstractmethod
    def events_for(self, ctx: "ConnectorContext", notification: Notification) -> list[dict[str, Any]]:
        """The canonical events a notification stands for (usually: fetch the product, map it).

        An app-uninstalled notification calls `ctx.uninstall(reason)` and returns no events."""

    @abstractmethod
    def store_info(self, ctx: "ConnectorContext") -> dict[str, Any]:
        """The `store.update` fields: currency, weight_unit, dimension_unit, platform_version, base_url."""

    @abstractmethod
    def changed_since(self, ctx: "ConnectorContext", since: datetime | None) -> Iterable[dict[str, Any]]:
        """Events for every product changed at or after `since` (None: the whole catalog).

        The periodic sweep calls it for webhooks that never came; install and `catalog.resend` with
        no ids call it with None."""

    def fetch_products(self, ctx: "ConnectorContext", product_ids: list[str]) -> Iterable[dict[str, Any]]:
        """Events for these products (`catalog.resend` with ids); a product that is gone is a
        `product.delete`. The default reads the whole catalog."""
        wanted = set(product_ids)
        for event in self.changed_since(ctx, None):
            product = event.get("product") or {}
            if str(product.get("id") or event.get("product_id") or "") in wanted:
                yield event

    # ---- writing to the store (commands) -------------------------------------------------------
    @abstractmethod
    def create_order(self, ctx: "ConnectorContext", order: dict[str, Any]) -> dict[str, Any]:
        """Create the store order for a canonical ORDER; return the command result
        (`{"status": "done", "platform_order_id": ...}` or `{"status": "failed", "reason": ..., "message": ...,
        "retryable": ...}`). It must first look for an order it made before for the same
        `tiktok_order_id` and report that one: a job may run again after a lost answer."""

    @abstractmethod
    def cancel_order(self, ctx: "ConnectorContext", payload: dict[str, Any]) -> dict[str, Any]:
        """Cancel `payload["platform_order_id"]`; an order already cancelled is `done` too."""

    def refund_order(self, ctx: "ConnectorContext", payload: dict[str, Any]) -> dict[str, Any]:
        """Refund `payload["platform_order_id"]` for the lines and amount TikTok refunded, restocking the
        lines marked `restock` (docs/extension-api.md, `order.refund`). It must first look for a refund it
        made before for the same `tiktok_return_id` and report that one. A connector that implements it
        lists `order.refund` in `store_info()["capabilities"]`: only then does the hub send it refunds."""
        return {"status": "failed", "reason": "PLATFORM_ERROR", "retryable": False,
                "message": f"The {self.label} connector does not carry out refunds."}

    def privacy_request(self, notification: Notification) -> "PrivacyRequest | None":
        """A buyer-data request the platform sent (Shopify's compliance topics), or None for any other
        notification. The hub carries it out whatever the store's state (hub/stores/privacy.py)."""
        return None

    # ---- credentials ---------------------------------------------------------------------------
    def refresh(self, shop_id: str, details: dict[str, Any], refresh_token: str) -> Grant:
        """A new grant from the refresh token (called under a lock, before expiry or after a 401).
        Raise `AuthError` when the platform refuses: the connection is then marked broken."""
        from hub.errors import AuthError

        raise AuthError(f"{self.label} tokens cannot be refreshed; install the app again.",
                        code="store_token_not_refreshable")
