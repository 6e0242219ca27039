"""Conversations and their messages.

A conversation is keyed by (channel, pseudonym); the channel's own user id is never stored.
"""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "resident"),
        # The queue's counts (read with every message while the desk is open) and the console's
        # lists by state, without reading every conversation.
        Index("ix_conversations_state", "state", "urgent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    resident: Mapped[str] = mapped_column(String(64))  # keyed-HMAC pseudonym
    address: Mapped[str | None] = mapped_column(Text)  # sealed channel address (push channels)
    # bot | waiting_for_human | with_human | closed
    state: Mapped[str] = mapped_column(String(24), default="bot")
    urgent: Mapped[bool] = mapped_column(default=False)
    last_intent: Mapped[str | None] = mapped_column(String(48))
    handover_reason: Mapped[str | None] = mapped_column(String(32))
    handover_at: Mapped[datetime | None]  # when it joined the queue (waiting time)
    reminded_at: Mapped[datetime | None]  # last "still waiting" message to the resident
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team: Mapped[str | None] = mapped_column(String(48))  # transferred to a team
    wijk: Mapped[str | None] = mapped_column(String(48))  # as the resident told the assistant
    # Every need the assistant heard in this conversation, first heard first: intent names only,
    # shown to the worker so nobody tells their story twice (issue 13.3).
    needs: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Message.id",
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
    author: Mapped[str | None] = mapped_column(String(64))  # a worker's first name or team
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Idempotency key: Telegram update id, WhatsApp message id; None for web chat posts.
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    # Inbound: received -> done, or pending (assistant unreachable) -> done (see claimed_at).
    # Outbound: queued -> delivered | failed.
    status: Mapped[str] = mapped_column(String(12))
    intent: Mapped[str | None] = mapped_column(String(48))
    confidence: Mapped[float | None]
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Inbound: when a gateway took the message in hand (the status stays `received` meanwhile);
    # the claim lets it ask the assistant without holding a transaction, and only the claimant
    # may finish the message. A claim older than VOORDEUR_STUCK_SECONDS may be taken over.
    claimed_at: Mapped[datetime | None] = mapped_column()

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class User(Base):
    """A frontline worker, manager or admin of the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))  # first name or team, shown to residents
    team: Mapped[str] = mapped_column(String(48), default="buurtteam")
    role: Mapped[str] = mapped_column(String(8))  # worker | manager | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]  # at the latest (SESSION_LIFETIME after login)
    last_seen: Mapped[datetime | None]  # the worker's last own action (idle timeout); None: at login


class LoginAttempt(Base):
    """Failed logins, for rate limiting (shared by all gateway replicas)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)  # hash of username
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessLog(Base):
    """Who opened which conversation (or a call-back referral of it), when, and why. Admins read it."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64))
    # No FK: rows outlive retention. An erase cuts the link (NULL) but keeps who read what when.
    conversation_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(24))  # open | claim | reply | close | referral_open | ...
    reason: Mapped[str] = mapped_column(String(120))
    # A partner's read of a referral (summary, number) or its result; the conversation is the referral's.
    referral_id: Mapped[int | None] = mapped_column(default=None)  # no FK, like conversation_id
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingForget(Base):
    """A resident who erased their data while Rasa could not be reached: Rasa is asked again to
    forget this pseudonym (bot/retention.py), then the row goes."""

    __tablename__ = "pending_forgets"

    resident: Mapped[str] = mapped_column(String(64), primary_key=True)  # keyed-HMAC pseudonym
    since: Mapped[datetime] = mapped_column(default=utcnow)


class Note(Base):
    """An internal note on a conversation; never sent to the resident."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DirectoryService(Base):
    """The service directory as loaded at start (directory/services.yml is the source): the
    console refers residents to these, and reports can join on them."""

    __tablename__ = "directory_services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    organization: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    intents: Mapped[str] = mapped_column(Text)  # comma-separated intent names
    areas: Mapped[str] = mapped_column(Text)  # comma-separated wijken, "city" or "nederland"
