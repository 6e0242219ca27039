"""resident updates and follow-ups: what the resident was told about a referral; "is het gelukt?" (issue 15.4, 15.5)

Revision ID: 0009
Revises: 0011
Create Date: 2026-11-23 07:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0011'  # 0010 and 0011 landed first: one head
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('told', sa.String(length=128), nullable=False, server_default=''))
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('intent', sa.String(length=48), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('asked_at', sa.DateTime(), nullable=True),
    sa.Column('asks', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=24), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'service_id')
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_status_due', ['status', 'due_at'], unique=False)


def downgrade() -> None:
    op.drop_table('follow_ups')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('told')
