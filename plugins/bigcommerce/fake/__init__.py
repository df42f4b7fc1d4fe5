"""A fake BigCommerce on loopback (REST API, OAuth token endpoint, control panel callbacks, webhook
sender) for the tests, the benchmarks and `hub demo`; see server.py."""

from plugins.bigcommerce.fake.server import FakeBigCommerce, FakeStore, make_product

__all__ = ["FakeBigCommerce", "FakeStore", "make_product"]
