"""`POST /tiktok/webhooks`: TikTok's notifications in, verified, stored once, and queued.

TikTok wants HTTP 200 with an empty body within 3 seconds and retries otherwise, and delivers at
least once; so this view does only what must happen before answering: check the signature over the
raw body, insert the notification (its unique `tts_notification_id` makes a repeat a no-op), and
enqueue the processing job. Older notification types arrive without `tts_notification_id` (TikTok's
own samples of types 1, 3, 4, 5, 6, 7, 11 and 12 lack it): those are deduplicated on a key derived from
what TikTok resends unchanged on a retry (`derived_notification_id`). All processing happens in `hub.jobs.tiktok_notifications`; the job is
named by its dotted path, so this module needs nothing above the TikTok client.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import Blueprint, Flask, Response, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from hub.models.tiktok_notifications import TikTokNotification
from hub.queues import DETAILS, MAINTENANCE, ORDERS, queue
from hub.runtime import Runtime, current
from hub.security import untrusted_json
from hub.tiktok.errors import loads
from hub.tiktok.signing import webhook_signature_valid

log = logging.getLogger("hub.tiktok.webhooks")

blueprint = Blueprint("tiktok_webhooks", __name__)

MAX_BODY = 1024 * 1024  # TikTok's notifications are a few hundred bytes

SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
PRODUCT_TYPES = {5, 15, 16, 37}  # product status and audit changes
ORDER_TYPES = {1, 11, 12}  # order status change, cancellation, return status change
PROCESS_JOB = "hub.jobs.tiktok_notifications.process_notification"


def queue_for(kind: int) -> str:
    """Orders and connection changes first (a deauthorisation stops everything), then products."""
    if kind in ORDER_TYPES or kind in (SELLER_DEAUTHORIZATION, UPCOMING_AUTHORIZATION_EXPIRATION):
        return ORDERS
    if kind in PRODUCT_TYPES:
        return DETAILS
    return MAINTENANCE


def enqueue(runtime: Runtime, notification_row_id: str, kind: int) -> None:
    queue(queue_for(kind), runtime.redis).enqueue(
        PROCESS_JOB, notification_row_id, job_id=f"tiktok-notification-{notification_row_id}", retry=None,
        failure_ttl=7 * 24 * 3600)


DERIVED_PREFIX = "sha256:"


def derived_notification_id(payload: dict[str, Any]) -> str:
    """The dedupe key of a notification TikTok sent without `tts_notification_id`.

    A retry repeats the notification unchanged, so a hash over its type, shop, timestamp and data
    (key order and spacing left out) names it; a new change differs in `data` or `timestamp`. It fits
    the 64-character column (224 bits of SHA-256) and cannot collide with TikTok's numeric ids.
    """
    canonical = json.dumps({"type": payload.get("type"), "shop_id": payload.get("shop_id"),
                            "timestamp": payload.get("timestamp"), "data": payload.get("data")},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DERIVED_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:56]


def _empty(status: int) -> Response:
    return Response(b"", status=status)


def _parse(raw: bytes) -> dict[str, Any] | None:
    """The notification with ids as strings, or None when it lacks what dedupe and routing need."""
    try:
        payload = loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested beyond the decoder
        return None
    if not isinstance(payload, dict) or untrusted_json.problems(payload):
        return None  # NUL, lone surrogates, NaN, 1e400 or deep nesting: nothing a database can keep
    notification_id = payload.get("tts_notification_id")
    shop_id = payload.get("shop_id")
    try:
        kind = int(payload["type"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if not 0 <= kind < 2**31:  # the column is a 32-bit integer; TikTok's types are small numbers
        return None
    if shop_id in (None, "") or len(str(shop_id)) > 64:
        return None
    if notification_id is not None and notification_id != "" and len(str(notification_id)) > 64:
        return None
    payload["type"] = kind
    payload["shop_id"] = str(shop_id)
    if notification_id in (None, ""):
        payload["tts_notification_id"] = derived_notification_id(payload)
    else:
        payload["tts_notification_id"] = str(notification_id)
    if not isinstance(payload.get("data"), dict):
        payload["data"] = {}
    return payload


@blueprint.route("/tiktok/webhooks", methods=["POST"])
def receive() -> Response:
    runtime = current()
    settings = runtime.settings
    if request.content_length is not None and request.content_length > MAX_BODY:
        log.warning("Rejected a TikTok webhook of %s bytes (limit %s)", request.content_length, MAX_BODY)
        return _empty(413)
    # A chunked body declares no length: read one byte past the limit (Werkzeug stops there) to tell.
    request.max_content_length = MAX_BODY + 1
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > MAX_BODY:
        log.warning("Rejected a TikTok webhook over %s bytes", MAX_BODY)
        return _empty(413)
    if not settings.tiktok_app_key or not settings.tiktok_app_secret:
        log.error("A TikTok webhook arrived but HUB_TIKTOK_APP_KEY/SECRET are not configured")
        return _empty(401)
    if not webhook_signature_valid(settings.tiktok_app_key, settings.tiktok_app_secret, raw,
                                   request.headers.get("Authorization")):
        log.warning("Rejected a TikTok webhook with a bad signature")
        return _empty(401)
    payload = _parse(raw)
    if payload is None:
        log.warning("Rejected a signed TikTok webhook without type or shop_id")
        return _empty(400)

    session = runtime.db.sessionmaker()
    try:
        row = TikTokNotification(notification_id=payload["tts_notification_id"], type=payload["type"],
                                 shop_id=payload["shop_id"], payload=payload,
                                 sent_at=payload.get("timestamp") if isinstance(payload.get("timestamp"), int) else None)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return _empty(200)  # a repeat delivery: stored and queued the first time
        row_id, kind = row.id, row.type
    finally:
        session.close()

    try:
        enqueue(runtime, row_id, kind)
    except Exception:  # noqa: BLE001 - stored; `replay` picks it up, and TikTok must still get its 200
        log.exception("Stored TikTok notification %s but could not queue it", row_id)
    return _empty(200)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    # TikTok signs the body, so the body is read raw; CSRF and JSON parsing elsewhere must not touch it.
    csrf = app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(blueprint)
