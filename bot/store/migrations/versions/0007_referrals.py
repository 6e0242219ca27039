"""referrals: warm handover with consent (issue 15)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 06:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=48), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=True),
    sa.Column('consent_wording', sa.String(length=16), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('wijk', sa.String(length=48), nullable=True),
    sa.Column('call_time', sa.String(length=48), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('not_reached', sa.Integer(), nullable=False),
    sa.Column('delivery_attempts', sa.Integer(), nullable=False),
    sa.Column('next_delivery_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_conversation_id'), ['conversation_id'], unique=False)


def downgrade() -> None:
    op.drop_table('referrals')
