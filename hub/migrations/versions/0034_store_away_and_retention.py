"""a store that went away (since, why, what was done); when an order's buyer data was erased

Revision ID: 0034
Revises: 0037
Create Date: 2026-12-03 23:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import hub.models.base  # noqa: F401 - autogenerate names the hub's column types through it
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0034'
down_revision = '0037'
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_since', hub.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('away_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('away_action', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('away_deactivated', _json(), nullable=True))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_data_erased_at', hub.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('buyer_data_erased_at')
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_column('away_deactivated')
        batch_op.drop_column('away_action')
        batch_op.drop_column('away_reason')
        batch_op.drop_column('away_since')
