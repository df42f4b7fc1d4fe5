"""The canonical data every store connector speaks: products, orders and store events.

One contract for the Extension API, hosted connectors, the sync engine and the merchant settings
(`docs/canonical-data.md`). Its marshmallow schemas validate input and generate the OpenAPI
document, so the contract and its description cannot drift apart. Nothing here knows about HTTP,
TikTok or a particular store platform.
"""
