"""access log rows outlive an erase: conversation_id may be NULL (the link is cut, the read stays;
issue 15 follow-up, bot/erase.py)

Revision ID: 0013
Revises: 0008
Create Date: 2026-11-23 08:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_log') as batch:
        batch.alter_column('conversation_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM access_log WHERE conversation_id IS NULL")
    with op.batch_alter_table('access_log') as batch:
        batch.alter_column('conversation_id', existing_type=sa.Integer(), nullable=False)
