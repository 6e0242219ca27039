"""Who may read a case in the console, and why (issue 12).

A worker reads a transcript only with a reason: the case is theirs, it waits in the queue of
their team (a case without a team is in everyone's queue), or it is urgent (a crisis) and a
person has to be found. Anything else, closed cases and residents who never asked for a person
included, is answered as if it did not exist, so ids cannot be tried one by one. The reason is
written to the access log with every read.

A worker of a call-back team (a directory service's `referral_team`, issue 15) is not a frontline
worker: the team may be an outside partner (a debt-help organisation) that has the residents'
consent for one call back and nothing more. Such a worker has no general queue, reads no
transcript and claims no chat - not even an urgent crisis case: a crisis needs the municipality's
own frontline workers (who all see it), and an outside partner reading a stranger's crisis chat
would be a read without consent. They see only their own "Terugbelverzoeken"
(bot/handover/pages/referrals.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.lifecycle import HUMAN_STATES, State
from bot.store.models import AccessLog, Conversation, User, utcnow

REASON_MINE = "behandelt dit gesprek"
REASON_QUEUE = "in de wachtrij"
REASON_URGENT = "urgent: crisis"
# A transcript kept open in a tab is one read: its live refreshes log again only after this.
READ_IS_FRESH_FOR = timedelta(hours=1)


def in_team(conversation: Conversation, user: User) -> bool:
    """A case moved to a team waits for that team only; a case without a team for everyone."""
    return conversation.team is None or conversation.team == user.team


def frontline(user: User, referral_teams: Collection[str]) -> bool:
    """Whether this worker works the chats (a call-back team's worker does not; see above)."""
    return user.team not in referral_teams


def in_queue_of(conversation: Conversation, user: User, *, referral_teams: Collection[str]) -> bool:
    """Whether the case shows in this worker's queue (urgent cases show for every frontline worker).
    `referral_teams`: the directory's call-back teams, whose workers have no queue."""
    return (frontline(user, referral_teams) and conversation.state == State.WAITING
            and (conversation.urgent or in_team(conversation, user)))


def read_reason(conversation: Conversation, user: User, *, referral_teams: Collection[str]) -> str | None:
    """Why this worker may read this case now, or None when they may not."""
    if not frontline(user, referral_teams):
        return None
    if conversation.state == State.WITH_HUMAN and conversation.assigned_to == user.id:
        return REASON_MINE
    if conversation.urgent and conversation.state in HUMAN_STATES:
        return REASON_URGENT
    if in_queue_of(conversation, user, referral_teams=referral_teams):
        team = f" van {conversation.team}" if conversation.team else ""
        return REASON_QUEUE + team
    return None


async def log_access(db: AsyncSession, user: User, conversation_id: int, action: str, reason: str,
                     referral_id: int | None = None) -> None:
    """One access-log row; a read of a call-back referral also names the referral (its conversation's id stays
    the key, so the admin's filters, the CSV and erase treat it like any other read of that conversation)."""
    db.add(AccessLog(user_id=user.id, username=user.username, conversation_id=conversation_id,
                     action=action, reason=reason[:120], referral_id=referral_id))


async def log_read(db: AsyncSession, user: User, conversation_id: int, reason: str, refresh: bool = False) -> None:
    """Log a transcript read. A live refresh of a transcript this worker opened within the
    last hour is the same read and writes nothing."""
    if refresh:
        recent = await db.scalar(
            select(AccessLog.id).where(AccessLog.user_id == user.id, AccessLog.conversation_id == conversation_id,
                                       AccessLog.action == "open", AccessLog.at > utcnow() - READ_IS_FRESH_FOR)
            .limit(1))
        if recent is not None:
            return
    await log_access(db, user, conversation_id, "open", reason)
