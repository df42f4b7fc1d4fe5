"""Recording a store's result for a command, idempotently, and passing it to whoever waits for it.

`RESULT_HANDLERS` names the handler of each command type that waits for a result (order sync's);
the handler runs in the same transaction as the result, so the order's status and the command's
result can never disagree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy.orm import Session

from hub.errors import ApiError
from hub.models import Command
from hub.models.commands import DONE, FAILED
from hub.sync.orders import handoff, returns

ResultHandler = Callable[[Session, Command], None]
RESULT_HANDLERS: dict[str, ResultHandler] = {
    handoff.CREATE: handoff.on_create_result,
    handoff.CANCEL: handoff.on_cancel_result,
    returns.REFUND: returns.on_refund_result,
    # catalog.resend needs nothing after the store's answer: the products it resends arrive as events.
}


def record_result(session: Session, store_id: str, command_id: str, result: dict[str, Any]) -> str:
    """Store the result; returns "accepted" or "duplicate". Raises ApiError for other stores' ids."""
    command = session.get(Command, command_id)
    if command is None:
        raise ApiError(404, "command_not_found", f"There is no command {command_id}.")
    if command.store_id != store_id:
        raise ApiError(403, "not_your_command", "This command belongs to another store connection.")
    if command.type == "order.create" and result["status"] == "done" and not result.get("platform_order_id"):
        # The store's order number is what later cancellations and fulfilments refer to.
        raise ApiError(422, "validation_failed", "A done result for order.create needs the store's order number.",
                       {"platform_order_id": ["Required when status is done."]})
    clean = {k: v for k, v in result.items() if v is not None}
    if command.status in (DONE, FAILED):
        if command.result == clean:
            return "duplicate"
        raise ApiError(409, "result_already_recorded",
                       "A different result was already recorded for this command.",
                       {"recorded": command.result})
    command.status = DONE if result["status"] == "done" else FAILED
    command.result = clean
    command.completed_at = datetime.now(timezone.utc)
    handler = RESULT_HANDLERS.get(command.type)
    if handler is not None:
        handler(session, command)
    return "accepted"
