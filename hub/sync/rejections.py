"""The trace of events the hub refused, per store: what the settings page and `hub products` show.

The answer of `POST /events` carries the same errors, but only the extension reads it; a merchant
whose product never appears needs to see why. The table is bounded: each store keeps its newest
`KEEP` refusals (a misbehaving extension sending thousands a minute cannot grow it), pruned as
refusals are recorded.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.models import RejectedEvent

KEEP = 100
ERRORS_MAX = 8_000  # characters of the error document kept; an event with 5,000 bad variants is cut


def _storable(text: str) -> str:
    """A refused event may carry what no database keeps (a lone surrogate, a NUL): written escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


def _storable_tree(node: Any) -> Any:
    if isinstance(node, dict):
        return {_storable(str(k)): _storable_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_storable_tree(v) for v in node]
    return _storable(node) if isinstance(node, str) else node


def _text(value: Any, limit: int) -> str | None:
    return _storable(value)[:limit] if isinstance(value, str) and value else None


def _subject(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    product = raw.get("product")
    candidate = product.get("id") if isinstance(product, dict) else raw.get("product_id")
    if isinstance(candidate, bool) or not isinstance(candidate, (str, int)):
        return None
    return _storable(str(candidate))[:64]


def _bounded(errors: dict[str, Any]) -> dict[str, Any]:
    errors = _storable_tree(errors)
    if len(json.dumps(errors, default=str)) <= ERRORS_MAX:
        return errors
    fields = sorted(errors)
    return {"_event": [f"Too many errors to keep; the first are in the fields: {', '.join(fields)[:500]}."]}


def record(session: Session, store_id: str, raw: Any, errors: dict[str, Any],
           now: datetime | None = None) -> None:
    """Keep one refusal and drop the store's oldest beyond `KEEP`."""
    record_many(session, store_id, [(raw, errors)], now)


def record_many(session: Session, store_id: str, refused: list[tuple[Any, dict[str, Any]]],
                now: datetime | None = None) -> None:
    """Keep the refusals of one call (at most `KEEP` of them) and drop the store's oldest beyond `KEEP`."""
    if not refused:
        return
    when = now or datetime.now(timezone.utc)
    for raw, errors in refused[-KEEP:]:
        event = raw if isinstance(raw, dict) else {}
        session.add(RejectedEvent(store_id=store_id, event_id=_text(event.get("id"), 64),
                                  type=_text(event.get("type"), 40), subject=_subject(raw),
                                  errors=_bounded(errors), received_at=when))
    session.flush()
    prune(session, store_id)


def prune(session: Session, store_id: str) -> None:
    newest = select(RejectedEvent.id).where(RejectedEvent.store_id == store_id) \
        .order_by(RejectedEvent.id.desc()).offset(KEEP).limit(1)
    cutoff = session.scalar(newest)
    if cutoff is not None:
        session.execute(delete(RejectedEvent).where(RejectedEvent.store_id == store_id, RejectedEvent.id <= cutoff))


def recent(session: Session, store_ids: Iterable[str], limit: int = 20) -> list[dict[str, Any]]:
    """The newest refusals of the stores, newest first."""
    ids = list(store_ids)
    if not ids:
        return []
    rows = session.scalars(select(RejectedEvent).where(RejectedEvent.store_id.in_(ids))
                           .order_by(RejectedEvent.id.desc()).limit(limit))
    return [{"store_id": r.store_id, "event_id": r.event_id, "type": r.type, "product_id": r.subject,
             "errors": r.errors, "summary": summary(r.errors), "received_at": r.received_at.isoformat()}
            for r in rows]


def summary(errors: Any, prefix: str = "") -> str:
    """The errors as one line: "product.weight.value: Must be … Received: "1,5".; …"."""
    parts: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, str):
                    parts.append(f"{path}: {item}" if path and path != "_event" else item)
                else:
                    walk(item, path)

    walk(errors, prefix)
    return "; ".join(parts)
