"""A referral: one resident's consent that one service calls them back.

The phone number is stored sealed (bot.pseudonym.seal) and the summary only after the scrubber;
both are deleted when the referral closes, is withdrawn, or reaches its retention age
(bot.referrals.lifecycle.expire). The row itself keeps only what the loop needs: service,
status, consent time and wording version, deadline and delivery state.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, utcnow

STATUSES = ("offered", "accepted", "sent", "seen", "called", "appointment", "not_reached",
            "no_longer_needed", "withdrawn", "declined")
# What a partner may record after trying to call (console or webhook receipt).
RESULTS = ("called", "appointment", "not_reached", "no_longer_needed")
# A referral in one of these states needs nothing more from anyone: number and summary go.
CLOSED = ("called", "appointment", "no_longer_needed", "withdrawn", "declined")
# A consent the partner acts on: the resident may withdraw it (bot/referrals/dialogue.py).
ACTIVE = ("accepted", "sent", "seen", "not_reached")


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(48))  # the service's referral_team
    status: Mapped[str] = mapped_column(String(20), default="offered")
    # Random, not derived from the resident: the partner's idempotency key for this referral.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    consent_at: Mapped[datetime | None]
    consent_wording: Mapped[str | None] = mapped_column(String(16))  # version of the offer text agreed to
    summary: Mapped[str | None] = mapped_column(Text)  # scrubbed; None once deleted
    wijk: Mapped[str | None] = mapped_column(String(48))
    call_time: Mapped[str | None] = mapped_column(String(48))  # best time to call, as chosen
    phone: Mapped[str | None] = mapped_column(Text)  # sealed E.164 number; None once deleted
    deadline: Mapped[date | None]  # call back before the end of this working day
    not_reached: Mapped[int] = mapped_column(default=0)  # failed call attempts recorded
    delivery_attempts: Mapped[int] = mapped_column(default=0)
    next_delivery_at: Mapped[datetime | None]  # webhook: None = nothing to deliver
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    # Conversation side: the stages already counted in the anonymous referral_outcomes (comma
    # separated), so each stage counts once per referral (bot/needs/referral_outcomes.py).
    counted: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # What the resident was told about this referral, comma-separated (bot/referrals/resident_updates.py):
    # each update once, also with several replicas.
    told: Mapped[str] = mapped_column(String(128), default="", server_default="")

    def was_told(self, update: str) -> bool:
        return update in self.told.split(",")

    def mark_told(self, update: str) -> None:
        self.told = ",".join([*filter(None, self.told.split(",")), update])
    # Where the resident is in the call-back dialogue while status is "offered" (bot/referrals/
    # dialogue.py): waiting (not asked yet), offer, summary, own_words, phone, call_time, confirm.
    # None once the dialogue is over. The draft's summary, sealed number and time live in the
    # fields above until accept() (or are wiped by decline/withdraw/expire).
    step: Mapped[str | None] = mapped_column(String(16))
