"""Alembic environment: runs on the connection the gateway hands over (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

import bot.needs.models
import bot.referrals.models  # registers the referrals table
import bot.follow_up  # noqa: F401  (registers the follow_ups table)
from bot.store.models import Base

target_metadata = Base.metadata
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
