"""Side effects that must wait for the transaction: waking long-polls, scheduling jobs.

A long-poll woken before the commit would look, find nothing, and sleep again; a job scheduled
before the commit could run against the old state. So these run only after the outermost commit
(and are dropped on rollback). Result handlers run inside the Extension API's transaction, which is
why they cannot simply publish at the end of their own code.
"""

from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("hub.sync.orders")

_KEY = "hub.orders.after_commit"
_NOTIFIED = "hub.orders.notified"


def _run(session: Session) -> None:
    session.info.pop(_NOTIFIED, None)
    pending = session.info.pop(_KEY, [])
    for fn in pending:
        try:
            fn()
        except Exception:  # noqa: BLE001 - the data is committed; a lost wake-up only delays delivery
            log.exception("After-commit action failed")


def _drop(session: Session, *_: object) -> None:
    session.info.pop(_KEY, None)
    session.info.pop(_NOTIFIED, None)


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    if not event.contains(session, "after_commit", _run):
        event.listen(session, "after_commit", _run)
        event.listen(session, "after_rollback", _drop)
    session.info.setdefault(_KEY, []).append(fn)


def notify_store(session: Session, store_id: str) -> None:
    """Wake the store's long-poll once the commands created in this transaction are visible."""
    from hub.commands.outbox import notify
    from hub.runtime import current

    queued = session.info.setdefault(_NOTIFIED, set())
    if store_id in queued:
        return
    queued.add(store_id)
    after_commit(session, lambda: notify(current().redis, store_id))
