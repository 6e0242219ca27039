"""Pseudonyms and sealed delivery addresses.

A resident's channel id (Telegram chat id, WhatsApp phone number, web chat session) never
reaches the database in the clear. Conversations are keyed by a keyed-HMAC pseudonym; push
channels also need an address to send a later reply (from a worker) to, so that address is
stored sealed (Fernet: AES-CBC with HMAC) under a key derived from VOORDEUR_SECRET, and is
deleted with the conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet


def pseudonymise(secret: str, channel: str, user_id: str) -> str:
    """A stable, non-reversible id for one resident on one channel."""
    digest = hmac.new(secret.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def short_label(pseudonym: str) -> str:
    """What a worker sees: a short handle like 'B-3F9A2C', never the real id."""
    return "B-" + pseudonym[:6].upper()


def _fernet(secret: str) -> Fernet:
    key = hmac.new(secret.encode(), b"voordeur-address-key", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, value: str) -> str:
    return _fernet(secret).encrypt(value.encode()).decode()


def unseal(secret: str, token: str) -> str:
    return _fernet(secret).decrypt(token.encode()).decode()
