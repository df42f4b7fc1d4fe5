"""`POST /api/v1/events`: the store's product, stock, price and order changes, acknowledged per event."""

from __future__ import annotations

import random
import time

from flask import current_app, g
from flask_smorest import Blueprint
from sqlalchemy.exc import OperationalError

from hub.api.context import db_session, protect
from hub.api.schemas import EventsRequestSchema, EventsResponseSchema
from hub.db import is_contention
from hub.errors import ApiError
from hub.runtime import current
from hub.sync import dispatch
from hub.sync.intake import apply_events
from hub.sync.rowwrites import ContentionError

ATTEMPTS = 3


blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Store changes")
protect(blp, values_checked_per_item=True)


@blp.route("/events", methods=["POST"])
@blp.arguments(EventsRequestSchema)
@blp.response(200, EventsResponseSchema)
def post_events(body):  # noqa: ANN001, ANN201
    limit = current().settings.max_events_per_request
    if len(body["events"]) > limit:
        raise ApiError(413, "too_many_events", f"A call may carry at most {limit} events; "
                                               f"this one has {len(body['events'])}. Split it into batches.")
    session = db_session()
    for attempt in range(ATTEMPTS):
        store = session.merge(g.store)
        try:
            results, changes = apply_events(session, store, body["events"])  # reads the raw events, never changes them
            session.commit()
            break
        except (ContentionError, OperationalError) as error:
            # Another call holding the same rows (a PostgreSQL deadlock, SQLite's write lock beyond its
            # busy timeout, or rows that kept moving): nothing was applied; try again from the start.
            session.rollback()
            if isinstance(error, OperationalError) and not is_contention(error):
                raise
            current_app.logger.warning("Events call for store %s met a concurrent call (%s); attempt %s",
                                       g.store.id, type(error).__name__, attempt + 1)
            time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
    else:
        raise ApiError(503, "busy", "Other calls for the same products kept this one from being applied; "
                       "nothing was stored. Send it again.", headers={"Retry-After": "1"})
    try:
        dispatch.after_events(current(), store.id, changes)
    except Exception:  # the events are stored; reconciliation catches up if enqueueing failed
        current_app.logger.exception("Could not schedule sync work for store %s", store.id)
    return {"results": results}
