"""Delivering referrals to a partner's own system: signed JSON, an idempotency key, retries, a receipt.

Each POST carries
- `Voordeur-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}." + body)>`: the partner's
  secret signs the time and the exact body, so a changed body or a replay of an old delivery fails;
- `Idempotency-Key: <referral key>`: the same for every retry of one referral, so the partner takes it once.
A 2xx answer is the receipt: `{"status": "seen"}` marks the referral seen, any other 2xx marks it sent.
Anything else (down, timeout, 5xx) is retried with exponential backoff by the next `deliver_due` run;
the attempt count and the next time are in the database, so retries survive a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.pseudonym import unseal
from bot.referrals.lifecycle import _utc
from bot.referrals.models import Referral
from bot.tls import tls_context

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Voordeur-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)  # backoff doubles up to this
MAX_ATTEMPTS = 12  # then the referral waits for a person (console), no more deliveries


@dataclass(frozen=True)
class Partner:
    """A referral team that takes referrals in its own system."""

    team: str
    url: str
    secret: str


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for this body."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def payload(referral: Referral, secret: str) -> dict:
    """What the partner receives. A withdrawal carries the ids only."""
    if referral.status == "withdrawn":
        return {"id": referral.key, "service": referral.service_id, "status": "withdrawn"}
    return {
        "id": referral.key,
        "service": referral.service_id,
        "status": "new",
        "phone": unseal(secret, referral.phone) if referral.phone else None,
        "summary": referral.summary,
        "wijk": referral.wijk,
        "call_time": referral.call_time,
        "deadline": referral.deadline.isoformat() if referral.deadline else None,
        "consent": {"at": referral.consent_at.isoformat() + "Z" if referral.consent_at else None,
                    "wording": referral.consent_wording},
    }


async def _post(client: httpx.AsyncClient, partner: Partner, key: str, body: bytes) -> dict | None:
    """The receipt, or None when the delivery failed (to be retried)."""
    headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key,
               SIGNATURE_HEADER: sign(partner.secret, body)}
    try:
        response = await client.post(partner.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        log.warning("referral delivery to %s failed (%s)", partner.team, type(error).__name__)
        return None
    if not response.is_success:
        log.warning("referral delivery to %s refused (HTTP %d)", partner.team, response.status_code)
        return None
    try:
        receipt = response.json()
    except ValueError:
        receipt = {}
    return receipt if isinstance(receipt, dict) else {}


async def deliver_due(sessions: async_sessionmaker[AsyncSession], secret: str, partners: dict[str, Partner],
                      now: datetime | None = None, client: httpx.AsyncClient | None = None) -> int:
    """Deliver every referral whose delivery is due to its team's partner; return how many succeeded."""
    moment = _utc(now)
    async with sessions() as session:
        due = list(await session.scalars(
            select(Referral).where(Referral.next_delivery_at.is_not(None), Referral.next_delivery_at <= moment,
                                   Referral.team.in_(list(partners))).order_by(Referral.id)))
    if not due:
        return 0
    own_client = client is None
    client = client or httpx.AsyncClient(timeout=10, verify=tls_context())
    delivered = 0
    try:
        for referral in due:
            partner = partners[referral.team or ""]  # the query picked only teams in `partners`
            body = json.dumps(payload(referral, secret), separators=(",", ":")).encode()
            receipt = await _post(client, partner, referral.key, body)
            async with sessions.begin() as session:
                row = await session.get(Referral, referral.id)
                if row is None or row.next_delivery_at != referral.next_delivery_at:
                    continue  # erased or changed (withdrawn) meanwhile: the next run sends the new state
                if receipt is None:
                    row.delivery_attempts += 1
                    row.next_delivery_at = (moment + backoff(row.delivery_attempts)
                                            if row.delivery_attempts < MAX_ATTEMPTS else None)
                    continue
                delivered += 1
                row.next_delivery_at = None
                row.delivery_attempts += 1
                if row.status == "accepted":
                    row.status = "seen" if receipt.get("status") == "seen" else "sent"
    finally:
        if own_client:
            await client.aclose()
    return delivered
