"""`GET /api/v1/commands` (long-poll with leases) and `POST /api/v1/commands/{id}/result`."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from hub.api.context import close_session, db_session, protect
from hub.api.schemas import CommandResultResponseSchema, CommandsQuerySchema, CommandsResponseSchema
from hub.canonical.commands import CommandResultSchema
from hub.commands.leases import wait_for_commands
from hub.commands.results import record_result
from hub.runtime import current

REDIS_DOWN_RETRY_AFTER = 10  # seconds; a Redis outage (hub/outage.py) is usually over in a few

blp = Blueprint("commands", __name__, url_prefix="/api/v1", description="Work for the store")
protect(blp)


@blp.route("/commands")
@blp.arguments(CommandsQuerySchema, location="query")
@blp.response(200, CommandsResponseSchema)
def get_commands(query):  # noqa: ANN001, ANN201
    store_id = g.store.id
    close_session()  # hold no connection while waiting
    runtime = current()
    wait = query["wait"]
    if wait > 0 and not runtime.redis_reachable():
        # Without Redis nothing can wake a waiting long-poll, and holding threads for it would starve the
        # web process: answer at once with what is there and ask the store to come back shortly.
        commands = wait_for_commands(runtime.db, runtime.redis, store_id, wait=0, limit=query["limit"],
                                     visibility_seconds=runtime.settings.command_visibility_timeout)
        return {"commands": commands}, 200, {"Retry-After": str(REDIS_DOWN_RETRY_AFTER)}
    commands = wait_for_commands(runtime.db, runtime.redis, store_id, wait=wait, limit=query["limit"],
                                 visibility_seconds=runtime.settings.command_visibility_timeout)
    return {"commands": commands}


@blp.route("/commands/<string:command_id>/result", methods=["POST"])
@blp.arguments(CommandResultSchema)
@blp.response(200, CommandResultResponseSchema)
def post_result(result, command_id: str):  # noqa: ANN001, ANN201
    session = db_session()
    outcome = record_result(session, g.store.id, command_id, result)
    session.commit()
    return {"id": command_id, "status": outcome}
