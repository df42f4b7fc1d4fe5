"""`POST /api/v1/events`: the store's product, stock, price and order changes, acknowledged per event."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from hub.api.context import db_session, protect
from hub.api.schemas import EventsRequestSchema, EventsResponseSchema
from hub.errors import ApiError
from hub.runtime import current
from hub.sync import dispatch
from hub.sync.intake import apply_events

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Store changes")
protect(blp)


@blp.route("/events", methods=["POST"])
@blp.arguments(EventsRequestSchema)
@blp.response(200, EventsResponseSchema)
def post_events(body):  # noqa: ANN001, ANN201
    limit = current().settings.max_events_per_request
    if len(body["events"]) > limit:
        raise ApiError(413, "too_many_events", f"A call may carry at most {limit} events; "
                                               f"this one has {len(body['events'])}. Split it into batches.")
    session = db_session()
    store = session.merge(g.store)
    results, changes = apply_events(session, store, body["events"])
    session.commit()
    try:
        dispatch.after_events(current(), store.id, changes)
    except Exception:  # the events are stored; reconciliation catches up if enqueueing failed
        current_app.logger.exception("Could not schedule sync work for store %s", store.id)
    return {"results": results}
