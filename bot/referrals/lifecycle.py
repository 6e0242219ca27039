"""What happens to a referral: offered, accepted (consent), withdrawn, a partner's result, expired, erased.

All functions work in the caller's transaction (`async with sessions.begin() as session`), so a
referral changes together with the conversation step that caused it. Times are naive UTC like
the rest of the store; the deadline is a local date in the municipality's time zone.

Each step also counts itself in the anonymous referral outcomes (bot/needs/referral_outcomes.py:
offered, accepted, declined, withdrawn, contacted in time or late, not reached, overdue, no
longer needed), once per referral, in the same transaction; so every caller counts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, UTC

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory.model import Directory
from bot.needs.referral_outcomes import count_stage, local_date
from bot.needs.scrubber import scrub
from bot.pseudonym import seal
from bot.referrals.deadline import add_working_days
from bot.referrals.models import CLOSED, RESULTS, Referral
from bot.referrals.phone import dutch_phone

# Waiting for the service: consent given, no result yet (a first 'not_reached' is a result).
AWAITING = ("accepted", "sent", "seen")
RETENTION_DAYS = 30  # number and summary are deleted after this many days at the latest
CONSENT_WORDING = "v1"  # version of the offer text in domain.yml the resident agreed to


class NotOffered(ValueError):
    """The service takes no call-back referrals (no referral_team in the directory)."""


class InvalidSummary(ValueError):
    """The summary still identified someone after scrubbing (the scrubber dropped it)."""


class WrongState(ValueError):
    """The referral cannot make this step from its current status."""


def _utc(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


async def offer(session: AsyncSession, directory: Directory, conversation_id: int, service_id: str,
                wijk: str | None = None, now: datetime | None = None, asked: bool = True,
                step: str | None = None) -> Referral:
    """Record that the assistant offered a call back by this service (nothing personal yet).

    `asked=False`: noted now (written with the transaction's next statement), put to the resident
    later (bot/referrals/dialogue.py waits until the assistant's own question is answered, at
    `step` "waiting"); it counts as offered only when `ask` says so."""
    service = directory.service(service_id)
    if not service.referral_team:
        raise NotOffered(service_id)
    referral = Referral(conversation_id=conversation_id, service_id=service_id, team=service.referral_team,
                        status="offered", key=secrets.token_hex(16), wijk=wijk, step=step)
    session.add(referral)
    if asked:
        await session.flush()
        await count_stage(session, referral, "offered", now)
    return referral


async def ask(session: AsyncSession, referral: Referral, now: datetime | None = None) -> Referral:
    """An offer noted with `offer(asked=False)` is put to the resident now: it counts as offered."""
    if referral.status != "offered":
        raise WrongState(referral.status)
    await count_stage(session, referral, "offered", now)
    return referral


async def decline(session: AsyncSession, referral: Referral, now: datetime | None = None) -> Referral:
    """The resident said no to the offer ("Nee, ik bel zelf"), or stopped before confirming: nothing
    personal is kept (a draft's summary and sealed number are wiped)."""
    if referral.status != "offered":
        raise WrongState(referral.status)
    referral.status = "declined"
    referral.step = None
    _forget(referral, _utc(now))
    await count_stage(session, referral, "declined", now)
    await session.flush()
    return referral


async def accept(session: AsyncSession, directory: Directory, secret: str, referral: Referral, *,
                 phone: str, summary: str, call_time: str | None = None,
                 wording: str = CONSENT_WORDING, now: datetime | None = None) -> Referral:
    """The resident agreed: store the consent, the sealed number and the scrubbed summary, set the deadline.

    Raises InvalidPhone or InvalidSummary (nothing is stored then), WrongState if not offered.
    """
    if referral.status != "offered":
        raise WrongState(referral.status)
    number = dutch_phone(phone)
    clean = scrub(summary)
    if clean is None or not clean.strip():
        raise InvalidSummary("summary")
    moment = _utc(now)
    local_day = moment.replace(tzinfo=UTC).astimezone(directory.timezone).date()
    service = directory.service(referral.service_id)
    referral.status = "accepted"
    referral.step = None
    referral.consent_at = moment
    referral.consent_wording = wording
    referral.phone = seal(secret, number)
    referral.summary = clean
    referral.call_time = call_time
    referral.deadline = add_working_days(local_day, service.callback_days)
    referral.next_delivery_at = moment  # the webhook (if the team has one) may deliver at once
    await count_stage(session, referral, "accepted", now)
    await session.flush()
    return referral


def _open(referral: Referral) -> bool:
    """Consent given and not closed: the service still has to call (again)."""
    return referral.status in AWAITING or (referral.status == "not_reached" and referral.not_reached < 2)


def _forget(referral: Referral, moment: datetime) -> None:
    referral.phone = None
    referral.summary = None
    referral.call_time = None
    referral.next_delivery_at = None
    referral.closed_at = referral.closed_at or moment


async def withdraw(session: AsyncSession, referral: Referral, now: datetime | None = None) -> Referral:
    """The resident takes the consent back: number, summary and pending delivery are gone at once.

    A partner that already received the referral by webhook is sent a withdrawal (ids only).
    """
    delivered = referral.status in ("sent", "seen", "not_reached")
    await _count_overdue(session, referral, now)
    if referral.status == "offered":  # an offer taken back before consent is a no
        await count_stage(session, referral, "declined", now)
    elif _open(referral):
        await count_stage(session, referral, "withdrawn", now)
    referral.status = "withdrawn"
    referral.step = None
    _forget(referral, _utc(now))
    if delivered and referral.team:
        referral.next_delivery_at = _utc(now)
    await session.flush()
    return referral


async def record_result(session: AsyncSession, referral: Referral, result: str,
                        now: datetime | None = None) -> Referral:
    """A partner's result. 'not_reached' keeps the number for one more try; the second one closes."""
    if result not in RESULTS:
        raise ValueError(f"unknown result {result!r}")
    if referral.status in CLOSED or referral.status == "offered" or referral.closed_at is not None:
        raise WrongState(referral.status)  # closed also after the second 'not_reached'
    await _count_overdue(session, referral, now)
    referral.status = result
    if result == "not_reached":
        referral.not_reached += 1
    if result in CLOSED or referral.not_reached >= 2:
        _forget(referral, _utc(now))
    if result in ("called", "appointment"):
        in_time = referral.deadline is None or local_date(now) <= referral.deadline
        await count_stage(session, referral, "contacted_in_time" if in_time else "contacted_late", now)
    elif result == "not_reached" and referral.not_reached >= 2:
        await count_stage(session, referral, "not_reached", now)
    elif result == "no_longer_needed":
        await count_stage(session, referral, "no_longer_needed", now)
    await session.flush()
    return referral


async def _count_overdue(session: AsyncSession, referral: Referral, now: datetime | None) -> bool:
    """Count 'overdue' when the deadline has passed and the service recorded no result yet."""
    if referral.status in AWAITING and referral.deadline is not None and local_date(now) > referral.deadline:
        return await count_stage(session, referral, "overdue", now)
    return False


async def mark_overdue(session: AsyncSession, now: datetime | None = None) -> list[Referral]:
    """The deadline check (the retention job runs it): referrals whose deadline passed without
    any result from the service; each is counted as overdue once. Returns the ones new now."""
    rows = await session.scalars(select(Referral).where(Referral.status.in_(AWAITING),
                                                        Referral.deadline < local_date(now)))
    return [referral for referral in rows.all() if await _count_overdue(session, referral, now)]


async def expire(session: AsyncSession, days: int = RETENTION_DAYS, now: datetime | None = None) -> int:
    """Retention: delete number and summary of closed referrals and of all older than `days`; return how many."""
    moment = _utc(now)
    holding = or_(Referral.phone.is_not(None), Referral.summary.is_not(None))
    due = or_(Referral.closed_at.is_not(None), Referral.created_at < moment - timedelta(days=days))
    result: CursorResult = await session.execute(  # type: ignore[assignment]
        update(Referral).where(holding, due)
        .values(phone=None, summary=None, call_time=None, next_delivery_at=None)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


async def end_drafts(session: AsyncSession, conversation_id: int) -> int:
    """The resident ended the conversation: call backs offered but not agreed to end with it
    (deleted, with what a draft held: its summary, a sealed number). The counts keep the offer;
    a later conversation may offer again. Agreed ones stay: the service still calls."""
    result: CursorResult = await session.execute(  # type: ignore[assignment]
        delete(Referral).where(Referral.conversation_id == conversation_id, Referral.status == "offered"))
    return result.rowcount or 0


async def erase_for_conversations(session: AsyncSession, conversation_ids: list[int]) -> int:
    """bot.erase: delete these conversations' referrals entirely; return how many.

    Erasing is withdrawing: an open referral counts as withdrawn first. The anonymous counts
    stay (they are joined to nothing)."""
    referrals = await session.scalars(select(Referral).where(Referral.conversation_id.in_(conversation_ids)))
    for referral in referrals.all():
        if _open(referral):
            await _count_overdue(session, referral, None)
            await count_stage(session, referral, "withdrawn")
    statement = delete(Referral).where(Referral.conversation_id.in_(conversation_ids))
    result: CursorResult = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount or 0



async def mark_seen(session: AsyncSession, referral: Referral) -> bool:
    """The team opened the referral in the console: accepted/sent becomes seen; return whether it changed."""
    if referral.status not in ("accepted", "sent"):
        return False
    referral.status = "seen"
    await session.flush()
    return True
