"""The app's GraphQL documents against Shopify's published Admin schema of the pinned version, and its
`shopify.app.toml` against what Shopify and the code expect."""

from __future__ import annotations

from datetime import datetime, timezone

from graphql import parse, validate

from plugins.shopify import bulk, queries
from plugins.shopify.config import API_VERSION, read_app_toml, scopes_of
from plugins.shopify.fake_admin.bulk import limits_problem
from plugins.shopify.fake_admin.schema import admin_schema, topic_metadata
from plugins.shopify.fake_admin.server import RULES

DOCUMENTS = {name: value for name, value in vars(queries).items() if name.isupper() and name != "VARIANT_FIELDS"
             and name != "BULK_PRODUCTS"}


def test_every_document_is_valid_in_the_pinned_version_without_deprecated_fields(shopify_schema_ready: None) -> None:
    schema = admin_schema(API_VERSION)
    assert len(DOCUMENTS) >= 10
    for name, source in DOCUMENTS.items():
        assert validate(schema, parse(source), RULES) == [], name
    for since in (None, datetime(2026, 11, 1, tzinfo=timezone.utc)):
        document = parse(bulk.bulk_query(since))
        assert validate(schema, document, RULES) == []
        assert limits_problem(schema, document.definitions[0]) is None  # type: ignore[arg-type]


def test_a_field_missing_from_the_pinned_version_fails(shopify_schema_ready: None) -> None:
    """The check is real: weight moved from the variant to the inventory item in 2024-04."""
    schema = admin_schema(API_VERSION)
    old = queries.PRODUCT.replace("id sku barcode", "id sku weight weightUnit barcode", 1)
    messages = [e.message for e in validate(schema, parse(old), RULES)]
    assert "Cannot query field 'weight' on type 'ProductVariant'." in messages
    deprecated = "query { shop { currencyCode } products(first: 1) { nodes { images(first: 1) { nodes { url } } } } }"
    assert any("deprecated" in e.message for e in validate(schema, parse(deprecated), RULES))


def test_the_app_configuration_matches_the_code_and_shopifys_rules() -> None:
    app = read_app_toml()
    assert app["webhooks"]["api_version"] == API_VERSION
    subscriptions = app["webhooks"]["subscriptions"]
    assert all(s["uri"].startswith("https://") for s in subscriptions)
    compliance = [s for s in subscriptions if "compliance_topics" in s]
    assert len(compliance) == 1 and "topics" not in compliance[0]  # kept apart, as Shopify's CLI wants
    assert set(compliance[0]["compliance_topics"]) == {"customers/data_request", "customers/redact", "shop/redact"}
    scopes = set(scopes_of(app))
    for sub in subscriptions:
        for topic in sub.get("topics", []):
            needed = topic_metadata(topic, API_VERSION).get("access_scopes") or []
            # Shopify's metadata names a scope family ("products"); read_ or write_ of it grants the topic.
            assert not needed or any(f"read_{n}" in scopes or f"write_{n}" in scopes for n in needed), topic
    assert {"write_orders", "read_products", "read_inventory", "read_locations"} <= scopes
    from plugins.shopify.webhooks import KEEP

    for sub in subscriptions:  # a trimmed delivery still carries every field the app reads
        for topic in sub.get("topics", []):
            if sub.get("include_fields"):
                assert set(KEEP[topic]) <= set(sub["include_fields"]), topic
    assert app["application_url"].endswith("/stores/shopify/app")
    assert all(url.endswith("/stores/shopify/auth/callback") for url in app["auth"]["redirect_urls"])
