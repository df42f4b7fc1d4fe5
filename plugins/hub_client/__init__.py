"""Python client of the hub's Extension API v1, shared by the Shopify and BigCommerce apps and the demo store."""

from plugins.hub_client.client import HubClient, HubClientError, sign_request

__all__ = ["HubClient", "HubClientError", "sign_request"]
