"""an index for the Products page's title order, so one page of a large store is read, not sorted

Revision ID: 0038
Revises: 0035
Create Date: 2026-12-04 00:40:00.000000
"""
from alembic import op

revision = '0038'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('product_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_product_snapshots_store_title', ['store_id', 'title', 'product_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('product_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_product_snapshots_store_title')
