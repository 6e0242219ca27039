"""referral outcomes: anonymous counts of call-back referral stages (issue 15.6)

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-23 07:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral_outcomes',
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('wijk', sa.String(length=48), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('theme', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'wijk', 'service_id', 'theme', 'stage')
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted', sa.String(length=200), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('counted')
    op.drop_table('referral_outcomes')
