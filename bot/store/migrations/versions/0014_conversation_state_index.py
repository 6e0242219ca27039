"""conversations by state: the queue's counts, read with every resident message while the desk
is open, no longer read every conversation (issue 10.6)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:10:00
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.create_index('ix_conversations_state', ['state', 'urgent'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.drop_index('ix_conversations_state')
