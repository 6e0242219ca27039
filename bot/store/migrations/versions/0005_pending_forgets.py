"""pending forgets: erased residents whose Rasa tracker is still to be deleted

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 05:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_forgets',
    sa.Column('resident', sa.String(length=64), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('resident')
    )


def downgrade() -> None:
    op.drop_table('pending_forgets')
