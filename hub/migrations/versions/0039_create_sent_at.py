"""when the hub last sent a product's create to TikTok, so a retry that TikTok answers with the product
of an earlier attempt is known to hold that attempt's price and stock, not the retry's

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04 14:45:00.000000
"""
import sqlalchemy as sa
from alembic import op

import hub.models.base

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('listing_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('create_sent_at', hub.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('listing_plans', schema=None) as batch_op:
        batch_op.drop_column('create_sent_at')
