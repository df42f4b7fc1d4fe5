"""Status transitions driven through the sandbox: create, review, deactivate, delete, resync."""

from __future__ import annotations

from sqlalchemy import select

from hub.app import create_app
from hub.models import ListingPlan, SkuBinding
from hub.models.listings import ACTIVE, FAILED_REVIEW, NEEDS_CATEGORY, SYNCED, UNDER_REVIEW


def test_unmapped_then_mapped_then_created_under_review(shop) -> None:
    shop.push(shop.product("101"))
    assert shop.listing("101") is None  # "Needs category" is derived: no listing yet
    from hub.cli.products import products_report

    with shop.runtime.db.session_scope() as session:
        assert products_report(session, shop.store_id)[0]["status"] == NEEDS_CATEGORY

    affected = shop.map()
    assert affected == ["101"]
    listing = shop.listing("101")
    assert listing.status == UNDER_REVIEW, (listing.reason, listing.issues)
    remote = shop.sandbox.product(listing.tiktok_product_id)
    assert remote["status"] == "PENDING"
    assert remote["external_product_id"] == f"{shop.store_id}-101"
    assert {s["external_sku_id"] for s in remote["skus"]} == {f"{shop.store_id}-1011", f"{shop.store_id}-1012"}
    assert {s["seller_sku"] for s in remote["skus"]} == {"TEE-101-M", "TEE-101-L"}
    with shop.runtime.db.session_scope() as session:
        bindings = session.scalars(select(SkuBinding).where(SkuBinding.store_id == shop.store_id)).all()
        assert {(b.variant_id, b.tiktok_product_id) for b in bindings} == {
            ("1011", listing.tiktok_product_id), ("1012", listing.tiktok_product_id)}
        assert {b.pushed_quantity for b in bindings} == {10, 4}


def test_review_webhooks_drive_active_failed_review_and_synced(shop) -> None:
    app = create_app(runtime=shop.runtime)
    client = app.test_client()
    seen: set[str] = set()
    shop.map()
    shop.push(shop.product("201"), shop.product("202", title="Replica designer T-shirt"))
    first, second = shop.listing("201"), shop.listing("202")
    assert first.status == second.status == UNDER_REVIEW

    shop.sandbox.review(first.tiktok_product_id, "approve")
    shop.sandbox.review(second.tiktok_product_id, "reject", "Counterfeit goods are not allowed.")
    assert shop.deliver_webhooks(client, seen) >= 2
    first, second = shop.listing("201"), shop.listing("202")
    assert first.status == ACTIVE
    assert second.status == FAILED_REVIEW
    assert "Counterfeit goods are not allowed." in second.reason
    assert "seller-uk.tiktok.com" in second.fix and second.tiktok_product_id in second.fix

    shop.sandbox.control("POST", f"/products/{first.tiktok_product_id}/status",
                         {"status": "PLATFORM_DEACTIVATED", "reason": "Listing violates policy"})
    shop.deliver_webhooks(client, seen)
    first = shop.listing("201")
    assert first.status == SYNCED
    assert "Deactivated by TikTok" in first.reason


def test_poll_is_the_fallback_when_webhooks_are_lost(shop) -> None:
    from datetime import timedelta

    from hub.sync.products.review import poll

    shop.map()
    shop.push(shop.product("301"))
    listing = shop.listing("301")
    shop.sandbox.review(listing.tiktok_product_id, "approve")
    assert poll(shop.runtime, older_than=timedelta(0)) == 1
    assert shop.listing("301").status == ACTIVE


def test_failed_review_resubmitted_by_sync(shop) -> None:
    from hub.sync.products.schedule import sync

    shop.map()
    shop.push(shop.product("401"))
    listing = shop.listing("401")
    shop.sandbox.review(listing.tiktok_product_id, "reject", "Main image has a watermark.")
    from datetime import timedelta

    from hub.sync.products.review import poll

    poll(shop.runtime, older_than=timedelta(0))
    assert shop.listing("401").status == FAILED_REVIEW
    assert sync(shop.runtime, shop.store_id, "401")["resubmit"] == 1
    shop.work()
    listing = shop.listing("401")
    assert listing.status == UNDER_REVIEW
    assert shop.sandbox.product(listing.tiktok_product_id)["audit_status"] == "AUDITING"


def test_details_changed_then_resync_details(shop) -> None:
    from hub.sync.products.schedule import sync

    shop.map()
    shop.push(shop.product("501"))
    tiktok_id = shop.listing("501").tiktok_product_id
    shop.sandbox.review(tiktok_id, "approve")
    from datetime import timedelta

    from hub.sync.products.review import poll

    poll(shop.runtime, older_than=timedelta(0))
    changed = shop.product("501", title="Organic Cotton Crew Neck T-shirt, now in heavier cotton")
    changed["variants"].append({"id": "5013", "sku": "TEE-501-XL", "price": "13.50", "compare_at_price": None,
                                "currency": "GBP", "quantity": 2, "manage_stock": True, "options": {"Size": "XL"},
                                "barcode": None, "barcode_type": None, "image_url": None, "weight": None,
                                "dimensions": None})
    shop.push(changed)
    with shop.runtime.db.session_scope() as session:
        plan = session.scalar(select(ListingPlan).where(ListingPlan.product_id == "501"))
        assert plan.details_changed is True
    assert shop.sandbox.product(tiktok_id)["title"].startswith("Organic Cotton Crew Neck T-shirt 501")

    assert sync(shop.runtime, shop.store_id, "501", details=True)["details"] == 1
    shop.work()
    listing = shop.listing("501")
    assert listing.status == ACTIVE, listing.reason
    remote = shop.sandbox.product(tiktok_id)
    assert remote["under_review"]["title"].endswith("heavier cotton")
    assert len(remote["under_review"]["skus"]) == 3
    with shop.runtime.db.session_scope() as session:
        assert session.scalar(select(ListingPlan).where(ListingPlan.product_id == "501")).details_changed is False
        assert len(session.scalars(select(SkuBinding).where(SkuBinding.product_id == "501")).all()) == 3


def test_deleted_in_store_is_deactivated_on_tiktok(shop) -> None:
    import uuid

    from datetime import timedelta

    from hub.sync.products.review import poll

    shop.map()
    shop.push(shop.product("601"))
    tiktok_id = shop.listing("601").tiktok_product_id
    shop.sandbox.review(tiktok_id, "approve")
    poll(shop.runtime, older_than=timedelta(0))
    shop.push(events=[{"id": str(uuid.uuid4()), "type": "product.delete", "product_id": "601"}])
    listing = shop.listing("601")
    assert listing.status == SYNCED
    assert "Deleted in your store" in listing.reason
    assert shop.sandbox.product(tiktok_id)["status"] == "SELLER_DEACTIVATED"


def test_two_stores_of_one_merchant_list_products_with_the_same_id(shop) -> None:  # noqa: ANN001
    """Both stores sell through the merchant's one TikTok shop; product "101" of each is its own listing."""
    from hub.merchants import create_store
    from hub.models import Merchant

    shop.push(shop.product("101"))
    shop.map()
    first_store = shop.store_id
    with shop.runtime.db.session_scope() as session:
        second, _secret = create_store(session, shop.runtime.secrets, session.get(Merchant, shop.merchant_id),
                                       "woocommerce", "Threads Outlet")
        second.currency = "GBP"
        second_store = second.id
    shop.store_id = second_store
    shop.push(shop.product("101", title="Organic Cotton Crew Neck T-shirt Outlet"))
    shop.map()
    outlet = shop.listing("101")
    shop.store_id = first_store
    original = shop.listing("101")
    assert outlet.status == original.status == UNDER_REVIEW, (outlet.reason, outlet.issues)
    assert outlet.tiktok_product_id != original.tiktok_product_id
    assert {shop.sandbox.product(t)["external_product_id"] for t in (outlet.tiktok_product_id, original.tiktok_product_id)} \
        == {f"{first_store}-101", f"{second_store}-101"}
