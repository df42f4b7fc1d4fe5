"""Shop, seller, logistics, prerequisites and Event (webhook subscription) endpoints."""

from __future__ import annotations

import copy

from .errors import ApiError, param_error
from .runtime import EVENT_NAMES


def authorized_shops(ctx):
    shops = [ctx.state.public_shop(ctx.state.shops[sid]) for sid in ctx.token["shop_ids"]
             if sid in ctx.state.shops]
    return {"shops": shops}


def seller_shops(ctx):
    return {"shops": [{"id": sid, "region": ctx.state.shops[sid]["region"]}
                      for sid in ctx.token["shop_ids"] if sid in ctx.state.shops]}


def seller_permissions(ctx):
    return {"permissions": []}


def warehouses(ctx):
    return {"warehouses": copy.deepcopy(ctx.state.warehouses.get(ctx.shop["id"], []))}


def delivery_options(ctx):
    wh = ctx.state.warehouse(ctx.shop["id"], ctx.path_params["warehouse_id"])
    if wh is None:
        raise ApiError(12052097)
    return {"delivery_options": copy.deepcopy(ctx.state.delivery_options)}


def shipping_providers(ctx):
    opt_id = ctx.path_params["delivery_option_id"]
    if not any(o["id"] == opt_id for o in ctx.state.delivery_options):
        raise param_error("delivery_option_id", "the delivery option does not exist",
                          "an id from Get Warehouse Delivery Options")
    return {"shipping_providers": copy.deepcopy(ctx.state.shipping_providers)}


def prerequisites(ctx):
    return {"check_results": ctx.state.prerequisite_results(ctx.shop["id"])}


def get_webhooks(ctx):
    subs = ctx.state.event_subscriptions.setdefault(ctx.shop["id"], {})
    hooks = [dict(v, event_type=k) for k, v in subs.items()]
    return {"webhooks": hooks, "total_count": len(hooks)}


def put_webhook(ctx):
    body = ctx.body
    address = body.get("address")
    event_type = body.get("event_type")
    if not isinstance(address, str) or not address or len(address) > 255:
        raise param_error("address", "must be a URL of at most 255 characters", "a webhook URL")
    if event_type not in EVENT_NAMES:
        raise param_error("event_type", "unknown event type", "one of " + ", ".join(sorted(EVENT_NAMES)))
    subs = ctx.state.event_subscriptions.setdefault(ctx.shop["id"], {})
    prev = subs.get(event_type)
    subs[event_type] = {"address": address, "create_time": prev["create_time"] if prev else ctx.now,
                        "update_time": ctx.now}
    return {}


def delete_webhook(ctx):
    event_type = ctx.body.get("event_type")
    if event_type not in EVENT_NAMES:
        raise param_error("event_type", "unknown event type", "one of " + ", ".join(sorted(EVENT_NAMES)))
    ctx.state.event_subscriptions.setdefault(ctx.shop["id"], {}).pop(event_type, None)
    return {}


def register(r):
    r.add("GET", "/authorization/202309/shops", authorized_shops, shop_cipher="forbidden",
          scope="seller.authorization.info")
    r.add("GET", "/seller/202309/shops", seller_shops, shop_cipher="forbidden", scope="seller.shop.info")
    r.add("GET", "/seller/202309/permissions", seller_permissions, shop_cipher="forbidden",
          scope="seller.shop.info")
    r.add("GET", "/logistics/202309/warehouses", warehouses, scope="seller.logistics")
    r.add("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options", delivery_options,
          scope="seller.logistics")
    r.add("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers",
          shipping_providers, scope="seller.logistics")
    r.add("GET", ["/product/202309/prerequisites", "/product/202312/prerequisites"], prerequisites,
          scope="seller.product.basic")
    r.add("GET", "/event/202309/webhooks", get_webhooks, scope="seller.authorization.info")
    r.add("PUT", "/event/202309/webhooks", put_webhook, scope="seller.authorization.info")
    r.add("DELETE", "/event/202309/webhooks", delete_webhook, scope="seller.authorization.info")
