"""The Shopify app: a hosted connector the hub runs for Shopify stores (README.md beside this file).

- `config.py`: the app's configuration (environment variables, `shopify.app.toml`, the pinned API version);
- `auth.py`: install and tokens: the install HMAC and `state`, session tokens, token exchange, the
  authorization-code grant and the refresh of expiring offline tokens;
- `webhooks.py`: webhook verification, the topics the app takes, what of each delivery is kept;
- `admin.py`: the GraphQL Admin API client (cost-based throttling) and its documents (`queries.py`);
- `mapper.py`: a Shopify product into the canonical PRODUCT; `bulk.py`: the whole catalogue as a bulk
  operation's JSONL file;
- `orders.py`: `order.create` / `order.cancel` through `orderCreate` / `orderCancel`, exactly once;
- `connector.py`: the connector the hub loads (entry point `shopify`) and its routes;
- `fake_admin/`: a fake Admin API that executes documents against Shopify's published Admin schema
  (tests, benchmarks and `hub demo`).
"""
