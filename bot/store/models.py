"""Conversations and their messages.

A conversation is keyed by (channel, pseudonym); the channel's own user id is never stored.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "resident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    resident: Mapped[str] = mapped_column(String(64))  # keyed-HMAC pseudonym
    address: Mapped[str | None] = mapped_column(Text)  # sealed channel address (push channels)
    # bot | waiting_for_human | with_human | closed
    state: Mapped[str] = mapped_column(String(24), default="bot")
    urgent: Mapped[bool] = mapped_column(default=False)
    last_intent: Mapped[str | None] = mapped_column(String(48))
    handover_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(Base):
    """One message in or out. Inbound messages carry their processing status."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "channel_message_id"),
        Index("ix_messages_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    sender: Mapped[str] = mapped_column(String(8))  # resident | bot | human | system
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Idempotency key: Telegram update id, WhatsApp message id; None for web chat posts.
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    # Inbound: received -> done, or pending (assistant unreachable) -> done.
    # Outbound: queued -> delivered | failed.
    status: Mapped[str] = mapped_column(String(12))
    intent: Mapped[str | None] = mapped_column(String(48))
    confidence: Mapped[float | None]
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
