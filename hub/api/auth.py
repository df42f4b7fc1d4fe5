"""HMAC authentication of extension requests (docs/extension-api.md).

The signature covers the timestamp, method, path with query and the raw body, so a captured request
cannot be replayed later (±300 s) or altered. Each failure says which check failed and nothing about
the store behind the key.
"""

from __future__ import annotations

import hmac
import time
from datetime import datetime, timedelta, timezone

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import ApiError
from hub.models import Store
from hub.runtime import current
from hub.security.signing import signature
from hub.sync.stock import away

__all__ = ["authenticate", "path_with_query", "signature"]

TIMESTAMP_WINDOW_SECONDS = 300
CONTACT_WRITE_INTERVAL = timedelta(seconds=30)


def path_with_query() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def authenticate(session: Session) -> Store:
    key_id = request.headers.get("X-Hub-Key", "")
    timestamp = request.headers.get("X-Hub-Timestamp", "")
    provided = request.headers.get("X-Hub-Signature", "")
    missing = [name for name, value in (("X-Hub-Key", key_id), ("X-Hub-Timestamp", timestamp),
                                        ("X-Hub-Signature", provided)) if not value]
    if missing:
        raise ApiError(401, "missing_credentials", f"Missing header(s): {', '.join(missing)}.")
    if not key_id.isascii() or not key_id.isprintable():  # nothing a database could look up
        raise ApiError(401, "unknown_key", "The key in X-Hub-Key is not known to this hub or was revoked.")
    store = session.scalar(select(Store).where(Store.key_id == key_id))
    if store is None or store.revoked_at is not None:
        raise ApiError(401, "unknown_key", "The key in X-Hub-Key is not known to this hub or was revoked.")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise ApiError(401, "stale_timestamp", "X-Hub-Timestamp must be Unix seconds.") from None
    if abs(time.time() - sent_at) > TIMESTAMP_WINDOW_SECONDS:
        raise ApiError(401, "stale_timestamp",
                       "X-Hub-Timestamp is more than 300 seconds away from the hub's clock; check the store's clock.")
    secret = current().secrets.decrypt(store.secret_encrypted)
    expected = signature(secret, timestamp, request.method, path_with_query(), request.get_data(cache=True))
    if not hmac.compare_digest(expected.encode(), provided.encode()):
        raise ApiError(401, "bad_signature", "X-Hub-Signature does not match the request.")
    now = datetime.now(timezone.utc)
    if store.last_contact_at is None or now - store.last_contact_at > CONTACT_WRITE_INTERVAL:
        store.last_contact_at = now
    if store.away_since is not None:
        away.came_back(session, store)  # its listings sell again once this request's session commits
    g.store = store
    return store
