"""event ids in one form

Store events are deduplicated by their UUID; the same UUID written without dashes (or with some of
them) was stored as a different event. The intake now stores the canonical form
(8-4-4-4-12, lower case); this brings ids already stored to that form, keeping one row where both
forms were stored.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:30:00
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    events = sa.table("processed_events", sa.column("store_id", sa.String), sa.column("event_id", sa.String))
    odd = bind.execute(sa.select(events.c.store_id, events.c.event_id)
                       .where(sa.func.length(events.c.event_id) != 36)).all()
    for store_id, event_id in odd:
        try:
            canonical = str(uuid.UUID(event_id))
        except ValueError:
            continue  # not a UUID: left as it is
        mine = (events.c.store_id == store_id)
        exists = bind.execute(sa.select(sa.func.count()).select_from(events)
                              .where(mine, events.c.event_id == canonical)).scalar()
        if exists:
            bind.execute(events.delete().where(mine, events.c.event_id == event_id))
        else:
            bind.execute(events.update().where(mine, events.c.event_id == event_id).values(event_id=canonical))


def downgrade() -> None:
    pass  # the canonical form is a valid form of the same id: nothing to undo
