"""`POST /tiktok/webhooks`: TikTok's notifications in, verified, stored once, and queued.

TikTok wants HTTP 200 with an empty body within 3 seconds and retries otherwise, and delivers at
least once; so this view does only what must happen before answering: check the signature over the
raw body, insert the notification (its unique `tts_notification_id` makes a repeat a no-op:
`INSERT … ON CONFLICT DO NOTHING`, so a repeat costs one statement, not a failed transaction), and make
sure the shop's notification job for that kind is coming. Older notification types arrive without
`tts_notification_id` (TikTok's own samples of types 1, 3, 4, 5, 6, 7, 11 and 12 lack it): those are
deduplicated on a key derived from what TikTok resends unchanged on a retry (`derived_notification_id`).

TikTok's retries of a notification already stored are answered from Redis (`hub:tiktok:stored:<id>`,
set after the row is committed, kept for `STORED_TTL`): a retry storm then costs the database nothing.
The key only ever says "committed"; without it (expired, Redis lost) the insert decides as before.

One coalesced job per shop and queue (`tiktok-notifications-<queue>-<shop>`) works through the shop's
stored notifications in arrival order (hub.jobs.tiktok_notifications): an order storm is thousands of
notifications, and one RQ job each cost more than handling them. The job is named by its dotted path,
so this module needs nothing above the TikTok client.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Iterable

import redis
from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from hub.models.tiktok_notifications import TikTokNotification
from hub.db import dialect_insert
from hub.queues import DETAILS, MAINTENANCE, ORDERS, enqueue_coalesced_many, id_part
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
PROCESS_JOB = "hub.jobs.tiktok_notifications.process_shop_notifications"
CONNECTION_TYPES = {SELLER_DEAUTHORIZATION, UPCOMING_AUTHORIZATION_EXPIRATION}


def queue_for(kind: int) -> str:
    """Orders and connection changes first (a deauthorisation stops everything), then products."""
    if kind in ORDER_TYPES or kind in CONNECTION_TYPES:
        return ORDERS
    if kind in PRODUCT_TYPES:
        return DETAILS
    return MAINTENANCE


def job_id(shop_id: str, queue_name: str) -> str:
    return f"tiktok-notifications-{queue_name}-{id_part(shop_id)}"


def shop_jobs(rows: Iterable[tuple[str, int]]) -> list[tuple[str, str]]:
    """The (shop id, queue) jobs that stored notifications given as (shop id, type) need."""
    return sorted({(str(shop_id), queue_for(kind)) for shop_id, kind in rows})


def enqueue(runtime: Runtime, shop_id: str, queue_name: str) -> None:
    """Make sure the shop's job for `queue_name` is coming (a waiting one takes the new notification too)."""
    enqueue_coalesced_many(queue_name, PROCESS_JOB, [(job_id(shop_id, queue_name), (shop_id, queue_name))],
                           connection=runtime.redis, result_ttl=0, failure_ttl=7 * 24 * 3600)


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


STORED_TTL = 6 * 3600  # TikTok retries an unanswered notification for hours; later repeats reach the insert


def _stored_key(notification_id: str) -> str:
    return f"hub:tiktok:stored:{notification_id}"


def _known(runtime: Runtime, notification_id: str) -> bool:
    """The notification was stored before (its row is committed), as far as Redis remembers."""
    try:
        return bool(runtime.redis.exists(_stored_key(notification_id)))
    except redis.RedisError:
        return False  # the insert below decides


def _remember(runtime: Runtime, notification_id: str) -> None:
    try:
        runtime.redis.set(_stored_key(notification_id), 1, ex=STORED_TTL)
    except redis.RedisError:
        pass  # a repeat then goes to the insert, which ignores it


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

    if _known(runtime, payload["tts_notification_id"]):
        return _empty(200)  # a repeat delivery of a stored notification
    sent_at = payload.get("timestamp")
    session = runtime.db.sessionmaker()
    try:
        stored = session.scalar(
            dialect_insert(session, TikTokNotification)
            .values(notification_id=payload["tts_notification_id"], type=payload["type"], shop_id=payload["shop_id"],
                    payload=payload, sent_at=sent_at if isinstance(sent_at, int) and abs(sent_at) < 2**63 else None)
            .on_conflict_do_nothing(index_elements=["notification_id"])
            .returning(TikTokNotification.id))
        session.commit()
    finally:
        session.close()
    if stored is None:
        _remember(runtime, payload["tts_notification_id"])
        return _empty(200)  # a repeat delivery: stored and queued the first time

    try:
        enqueue(runtime, payload["shop_id"], queue_for(payload["type"]))
    except Exception:  # noqa: BLE001 - stored; `replay` and the catch-up sweep pick it up, and TikTok must get its 200
        log.exception("Stored TikTok notification %s but could not queue it", stored)
        return _empty(200)
    _remember(runtime, payload["tts_notification_id"])
    return _empty(200)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    # TikTok signs the body, so the body is read raw; CSRF and JSON parsing elsewhere must not touch it.
    csrf = app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(blueprint)
