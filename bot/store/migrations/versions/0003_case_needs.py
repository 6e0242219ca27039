"""case needs: the conversation-side link to the need events an open case wrote

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_needs',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('intent', sa.String(length=48), nullable=False),
    sa.Column('need_event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_event_id'], ['need_events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'intent')
    )


def downgrade() -> None:
    op.drop_table('case_needs')
