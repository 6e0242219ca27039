"""One TLS context for the gateway's HTTP clients (Rasa, WhatsApp's Graph API, partners' webhooks).

Loading the CA bundle into a context costs about 30 ms of CPU; httpx does it for every client it
makes unless it is given one. Made once per process, on first use.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
