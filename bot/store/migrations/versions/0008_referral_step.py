"""referral step: where the resident is in the call-back dialogue (issue 15, bot/referrals/dialogue.py)

Revision ID: 0008
Revises: 0012
Create Date: 2026-11-23 07:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0012'  # 0010, 0011, 0009 and 0012 landed first: one head
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('referrals', sa.Column('step', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('referrals') as batch:
        batch.drop_column('step')
