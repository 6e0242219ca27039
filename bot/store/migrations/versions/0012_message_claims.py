"""message claims: a gateway takes an inbound message in hand without holding a transaction
while the assistant answers (issue 10.6)

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-23 07:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('claimed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('claimed_at')
