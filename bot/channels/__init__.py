"""Channel adapters: translate each channel's messages to and from the switchboard's.

`build_channels` decides which channels are on: the web chat always, Telegram and WhatsApp
when their credentials are set (CONTRACTS.md §6).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.routing import BaseRoute

from bot.config import Settings
from bot.switchboard import Switchboard


@dataclass
class Channel:
    name: str
    routes: list[BaseRoute] = field(default_factory=list)
    start: Callable[[], Awaitable[None]] | None = None  # called when the gateway starts
    stop: Callable[[], Awaitable[None]] | None = None  # called when it stops


def build_channels(settings: Settings, switchboard: Switchboard, static_dir: Path) -> list[Channel]:
    from bot.channels import webchat

    channels = [Channel("webchat", webchat.routes(switchboard, static_dir))]
    # Deliverers are registered now, before any message arrives: the switchboard seals a
    # resident's address only for channels that can push replies.
    if settings.telegram_enabled:
        from bot.channels.telegram import CHANNEL as TELEGRAM, TelegramChannel

        telegram = TelegramChannel(settings, switchboard)
        switchboard.deliverers[TELEGRAM] = telegram.deliver
        channels.append(Channel(TELEGRAM, telegram.routes(), telegram.start, telegram.stop))
    if settings.whatsapp_enabled:
        from bot.channels.whatsapp import CHANNEL as WHATSAPP, WhatsAppChannel

        whatsapp = WhatsAppChannel(settings, switchboard)
        switchboard.deliverers[WHATSAPP] = whatsapp.deliver
        channels.append(Channel(WHATSAPP, whatsapp.routes(), None, whatsapp.stop))
    return channels
