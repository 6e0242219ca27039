"""Channels: translate each channel's messages to and from the switchboard's.

`build_channels` decides which channels are on: the web chat always, Telegram and WhatsApp
when their credentials are set (CONTRACTS.md §6). Every channel has the shape of
`bot.channels.base.Channel`; what they share is in base.py and commands.py.
"""

from __future__ import annotations

from pathlib import Path

from bot.channels.base import Channel
from bot.config import Settings
from bot.switchboard import Switchboard


def build_channels(settings: Settings, switchboard: Switchboard, static_dir: Path) -> list[Channel]:
    from bot.channels.webchat import WebChatChannel

    channels: list[Channel] = [WebChatChannel(switchboard, static_dir)]
    # Deliverers are registered now, before any message arrives: the switchboard seals a
    # resident's address only for channels that can push replies.
    if settings.telegram_enabled:
        from bot.channels.telegram import TelegramChannel

        telegram = TelegramChannel(settings, switchboard)
        switchboard.deliverers[telegram.name] = telegram.deliver
        channels.append(telegram)
    if settings.whatsapp_enabled:
        from bot.channels.whatsapp import WhatsAppChannel

        whatsapp = WhatsAppChannel(settings, switchboard)
        switchboard.deliverers[whatsapp.name] = whatsapp.deliver
        channels.append(whatsapp)
    return channels
