"""`GET /api/v1/products/status`: TikTok status per product, for the extension's own admin screens."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from hub.api.context import db_session, protect
from hub.api.schemas import ProductStatusResponseSchema, StatusQuerySchema
from hub.errors import ApiError
from hub.models import Listing, ProductSnapshot
from hub.sync.products.status import statuses

blp = Blueprint("status", __name__, url_prefix="/api/v1", description="Product status")
protect(blp)

MAX_IDS = 100


@blp.route("/products/status")
@blp.arguments(StatusQuerySchema, location="query")
@blp.response(200, ProductStatusResponseSchema)
def product_status(query):  # noqa: ANN001, ANN201
    ids = [i.strip() for i in query["ids"].split(",") if i.strip()]
    if not ids:
        raise ApiError(422, "validation_failed", "Give at least one product id.", {"ids": ["Empty list."]})
    if len(ids) > MAX_IDS:
        raise ApiError(422, "validation_failed", f"Ask for at most {MAX_IDS} products at a time.",
                       {"ids": [f"{len(ids)} ids given."]})
    session = db_session()
    store_id = g.store.id
    listings = {row.product_id: row for row in session.scalars(
        select(Listing).where(Listing.store_id == store_id, Listing.product_id.in_(ids)))}
    snapshots = {row.product_id: row for row in session.scalars(
        select(ProductSnapshot).where(ProductSnapshot.store_id == store_id, ProductSnapshot.product_id.in_(ids)))}
    shown = statuses(session, store_id, ids)
    products = []
    for product_id in dict.fromkeys(ids):
        listing, snapshot, found = listings.get(product_id), snapshots.get(product_id), shown.get(product_id)
        if found is not None and snapshot is not None:
            products.append({"product_id": product_id, "status": found.status, "reason": found.reason,
                             "tiktok_product_id": listing.tiktok_product_id if listing else None,
                             "updated_at": listing.updated_at if listing else snapshot.updated_at})
        elif listing is not None:  # deleted in the store: the listing still says what happened on TikTok
            products.append({"product_id": product_id, "status": listing.status, "reason": listing.reason,
                             "tiktok_product_id": listing.tiktok_product_id, "updated_at": listing.updated_at})
        elif snapshot is not None:
            products.append({"product_id": product_id, "status": None,
                             "reason": "The store deleted this product; it was never sent to TikTok.",
                             "tiktok_product_id": None, "updated_at": snapshot.updated_at})
        else:
            products.append({"product_id": product_id, "status": None,
                             "reason": "The hub has not received this product from the store yet.",
                             "tiktok_product_id": None, "updated_at": None})
    return {"products": products}
