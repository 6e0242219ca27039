"""console sessions: when the worker last did something (idle timeout)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 05:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('console_sessions', sa.Column('last_seen', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('console_sessions') as batch:
        batch.drop_column('last_seen')
