"""The BigCommerce app: a hosted store connector the hub runs for BigCommerce stores.

Registered through the entry point group `tiktok_shop_sync.store_connectors` (pyproject.toml); it
imports only the hub's connector boundary (`hub.stores`) and error kinds (`hub.errors`). `fake/` is a
BigCommerce REST API on loopback for the tests, the benchmarks and `hub demo`. README.md beside this
file covers installing, configuring and testing it.
"""
