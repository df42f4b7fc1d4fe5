"""`GET /api/v1/commands` (long-poll with leases) and `POST /api/v1/commands/{id}/result`."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from hub.api.context import close_session, db_session, protect
from hub.api.schemas import CommandResultResponseSchema, CommandsQuerySchema, CommandsResponseSchema
from hub.canonical.commands import CommandResultSchema
from hub.commands.leases import wait_for_commands
from hub.commands.pollslots import RETRY_AFTER_SECONDS, long_poll_place
from hub.commands.results import record_result
from hub.runtime import current

REDIS_DOWN_RETRY_AFTER = 10  # seconds; a Redis outage (hub/outage.py) is usually over in a few

blp = Blueprint("commands", __name__, url_prefix="/api/v1", description="Work for the store")
protect(blp)


@blp.route("/commands")
@blp.arguments(CommandsQuerySchema, location="query")
@blp.response(200, CommandsResponseSchema, headers={"Retry-After": {
    "description": "Present when the poll was answered at once because too many polls of the store (or of "
                   "this server) are waiting: seconds before the next scheduled poll.",
    "schema": {"type": "integer"}}})
def get_commands(query):  # noqa: ANN001, ANN201
    """Commands for the store, waiting up to `wait` seconds for one. A poll that would wait beyond the
    limits (2 per store, a share of the process's threads: hub/commands/pollslots.py) is answered at
    once with no commands and a retry hint."""
    store_id = g.store.id
    close_session()  # hold no connection while waiting
    runtime = current()
    wait = query["wait"]
    if wait <= 0:
        return {"commands": _lease(runtime, store_id, 0, query["limit"])}
    if not runtime.redis_reachable():
        # Without Redis nothing can wake a waiting long-poll, and holding threads for it would starve the
        # web process: answer at once with what is there and ask the store to come back shortly.
        return ({"commands": _lease(runtime, store_id, 0, query["limit"]), "retry_after": REDIS_DOWN_RETRY_AFTER},
                200, {"Retry-After": str(REDIS_DOWN_RETRY_AFTER)})
    with long_poll_place(runtime, store_id, wait) as allowed:
        if allowed:
            return {"commands": _lease(runtime, store_id, wait, query["limit"])}
    return ({"commands": [], "retry_after": RETRY_AFTER_SECONDS}, 200,
            {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _lease(runtime, store_id: str, wait: float, limit: int) -> list[dict]:  # noqa: ANN001
    return wait_for_commands(runtime.db, runtime.redis, store_id, wait=wait, limit=limit,
                             visibility_seconds=runtime.settings.command_visibility_timeout)


@blp.route("/commands/<string:command_id>/result", methods=["POST"])
@blp.arguments(CommandResultSchema)
@blp.response(200, CommandResultResponseSchema)
def post_result(result, command_id: str):  # noqa: ANN001, ANN201
    session = db_session()
    outcome = record_result(session, g.store.id, command_id, result)
    session.commit()
    return {"id": command_id, "status": outcome}
