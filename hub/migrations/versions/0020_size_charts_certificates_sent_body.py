"""size charts and certificates per product; the body last sent to TikTok

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import hub.models.base  # noqa: F401 - autogenerate names the hub's column types through it
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0013'
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('product_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size_chart', _json(), nullable=True))
        batch_op.add_column(sa.Column('certifications', _json(), nullable=True))
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_body', _json(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', hub.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('sent_at')
        batch_op.drop_column('sent_body')
    with op.batch_alter_table('product_overrides', schema=None) as batch_op:
        batch_op.drop_column('certifications')
        batch_op.drop_column('size_chart')
