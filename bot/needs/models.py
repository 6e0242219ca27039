"""Need events. The need log has no key or column that joins it to conversations: no chat id,
no pseudonym, no free text, no exact time (only the ISO week).

The one link lives on the conversation side (`CaseNeed`): while a case is open it says which
need events that conversation wrote, so a follow-up or a worker's close updates the event
instead of counting the resident twice. It is deleted when the worker closes the case, and with
the conversation (erase, retention); the need events stay, joined to nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base

OUTCOMES = ("met", "no_local_service", "waiting_list", "not_helped", "declined", "out_of_hours", "out_of_scope",
            # The resident's answer to "is het gelukt?" after only a number was given (bot/follow_up.py).
            "contact_made", "contact_failed", "still_waiting", "gave_up")


class NeedEvent(Base):
    __tablename__ = "need_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. 2026-W47
    wijk: Mapped[str] = mapped_column(String(48))  # a wijk from the directory, or "onbekend"
    theme: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(48))
    outcome: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16))


class CaseNeed(Base):
    """Which need event an open conversation wrote, per intent (conversation side of the link)."""

    __tablename__ = "case_needs"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    intent: Mapped[str] = mapped_column(String(48), primary_key=True)
    need_event_id: Mapped[int] = mapped_column(ForeignKey("need_events.id", ondelete="CASCADE"))


class ReferralOutcome(Base):
    """How often a call-back referral reached a stage, per ISO week, wijk, service and theme.

    A count, not a row per referral: there is no id or row order that could be matched to the
    referrals table, and nothing else than these closed fields (bot/needs/referral_outcomes.py)."""

    __tablename__ = "referral_outcomes"

    week: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO week in which the step happened
    wijk: Mapped[str] = mapped_column(String(48), primary_key=True)  # a directory wijk or "onbekend"
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    theme: Mapped[str] = mapped_column(String(16), primary_key=True)
    stage: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
