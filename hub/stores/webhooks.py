"""`POST /stores/<platform>/webhooks`: a platform's notifications in, verified, stored once, queued.

Platforms want a 2xx within seconds (Shopify: 5 s) and deliver at least once, so the view does only
what must happen before answering: the connector checks the signature over the raw body and names the
dedupe key (Shopify's `X-Shopify-Webhook-Id`, BigCommerce's payload `hash`, ...), the notification is
inserted (the unique `(platform, dedupe_key)` makes a repeat a no-op), and its job is queued. Reading
the product and everything after happens in `hub.stores.notifications`.
"""

from __future__ import annotations

import logging

from flask import Response, request
from sqlalchemy.exc import IntegrityError

from hub.models.store_connections import StoreNotification
from hub.runtime import current
from hub.stores.connector import HostedConnector, WebhookRejected
from hub.stores.schedule import enqueue_notification

log = logging.getLogger("hub.stores.webhooks")

MAX_BODY = 1024 * 1024


def receive(connector: HostedConnector) -> Response:
    """Verify, store and queue one webhook for `connector`; answers 200, 401 (not the platform's) or 413."""
    if (request.content_length or 0) > MAX_BODY:
        return Response(b"", status=413)
    request.get_data(cache=True)  # the connector reads the raw body for the signature
    try:
        note = connector.verify_webhook(request)
    except WebhookRejected as rejected:
        log.warning("Rejected a %s webhook: %s", connector.platform, rejected)
        return Response(b"", status=401)
    runtime = current()
    session = runtime.db.sessionmaker()
    try:
        row = StoreNotification(platform=connector.platform, dedupe_key=note.dedupe_key[:255],
                                shop_id=note.shop_id[:255], topic=note.topic[:100], payload=note.payload)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return Response(b"", status=200)  # a repeat delivery: stored and queued the first time
        row_id = row.id
    finally:
        session.close()
    try:
        enqueue_notification(runtime, row_id)
    except Exception:  # noqa: BLE001 - stored; the sweep and replay pick it up, and the platform gets its 200
        log.exception("Stored %s notification %s but could not queue it", connector.platform, row_id)
    return Response(b"", status=200)
