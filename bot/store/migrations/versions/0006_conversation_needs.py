"""conversation needs: every need the assistant heard in a conversation (issue 13.3)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 05:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('conversations', sa.Column('needs', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.drop_column('needs')
