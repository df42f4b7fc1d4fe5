"""The registry of store connectors: the one place that says which platforms the hub serves.

Extension platforms are listed here; hosted connectors come from installed packages through the
entry point group `tiktok_shop_sync.store_connectors` (read once, at start-up: `load()` is called by
the app factory and the worker), or from `register()` (tests, scripts). An entry point names either a
connector object or a callable that returns one, so a new platform is a package in `plugins/` and
its registration, with no change to the hub.
"""

from __future__ import annotations

import logging
import re
from importlib.metadata import entry_points
from typing import Any

from hub.sync.products import vocabulary
from hub.stores.connector import EXTENSION, HOSTED, ExtensionConnector, HostedConnector, StoreConnector

log = logging.getLogger("hub.stores")

ENTRY_POINT_GROUP = "tiktok_shop_sync.store_connectors"
_PLATFORM = re.compile(r"^[a-z][a-z0-9]{1,19}$")

EXTENSION_CONNECTORS: tuple[ExtensionConnector, ...] = (
    ExtensionConnector("woocommerce", "WooCommerce"),
    ExtensionConnector("magento2", "Magento 2"),
    # The demo store is made by `hub demo` only, never from the Stores page.
    ExtensionConnector("demo", "Demo store", option_word="options", creatable=False),
)


class UnknownPlatform(LookupError):
    pass


class Registry:
    def __init__(self) -> None:
        self._connectors: dict[str, StoreConnector] = {}
        self._loaded = False
        for connector in EXTENSION_CONNECTORS:
            self.register(connector)

    def register(self, connector: StoreConnector) -> StoreConnector:
        if not isinstance(connector, StoreConnector):
            raise TypeError(f"{connector!r} is not a store connector (platform, label, kind, option_word)")
        if not _PLATFORM.match(connector.platform):
            raise ValueError(f"Platform name {connector.platform!r}: 2-20 lower-case letters and digits")
        if connector.kind == HOSTED and not isinstance(connector, HostedConnector):
            raise TypeError(f"The hosted connector {connector.platform!r} must subclass HostedConnector")
        if connector.kind not in (EXTENSION, HOSTED):
            raise ValueError(f"Connector kind {connector.kind!r} is neither {EXTENSION!r} nor {HOSTED!r}")
        self._connectors[connector.platform] = connector
        vocabulary.learn(connector.platform, connector.option_word)  # reasons speak the store's words
        return connector

    def unregister(self, platform: str) -> None:
        self._connectors.pop(platform, None)

    def load(self) -> None:
        """Register the hosted connectors installed as packages (once per process)."""
        if self._loaded:
            return
        self._loaded = True
        for point in entry_points(group=ENTRY_POINT_GROUP):
            if point.name in self._connectors:
                continue  # registered explicitly first (a test, a script): that one wins
            target: Any = point.load()
            connector = target if isinstance(target, StoreConnector) else target()
            if connector.platform != point.name:
                raise ValueError(f"Entry point {point.name!r} gives a connector for {connector.platform!r}")
            self.register(connector)
            log.info("Store connector %s (%s) loaded from %s", connector.platform, connector.kind, point.value)

    def get(self, platform: str) -> StoreConnector:
        try:
            return self._connectors[platform]
        except KeyError:
            raise UnknownPlatform(platform) from None

    def hosted(self, platform: str) -> HostedConnector:
        connector = self.get(platform)
        if not isinstance(connector, HostedConnector):
            raise UnknownPlatform(platform)
        return connector

    def all(self) -> list[StoreConnector]:
        return list(self._connectors.values())

    def label(self, platform: str) -> str:
        connector = self._connectors.get(platform)
        return connector.label if connector is not None else platform


_registry = Registry()


def registry() -> Registry:
    return _registry


def register(connector: StoreConnector) -> StoreConnector:
    """Register a connector in this process (what the entry point does at start-up)."""
    return _registry.register(connector)


def unregister(platform: str) -> None:
    _registry.unregister(platform)


def load() -> Registry:
    _registry.load()
    return _registry
