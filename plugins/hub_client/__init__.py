"""Python client of the hub's Extension API v1, used by the demo store, tests and scripts (hosted connectors run inside the hub: docs/store-connectors.md)."""

from plugins.hub_client.client import HubClient, HubClientError, sign_request

__all__ = ["HubClient", "HubClientError", "sign_request"]
