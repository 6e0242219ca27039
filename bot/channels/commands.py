"""Commands a resident can give on every channel, handled the same way everywhere.

    /verwijder      asks for confirmation (buttons "verwijder:ja" / "verwijder:nee")
    verwijder:ja    erases everything about the resident on this channel (bot/erase.py)
    verwijder:nee   erases nothing
    /stop           closes the conversation (a worker's queue drops it; a new message opens it)

A channel recognises a command with `command_of(text)` (a typed "/stop@voordeur_bot" counts),
runs it with `Commands.run`, and shows the returned replies the way it shows any reply. The
replies are the gateway's own messages in domain.yml; commands never reach the assistant.
"""

from __future__ import annotations

import itertools
import logging

from bot import lifecycle
from bot.channels.base import find_conversation
from bot.erase import Erased, erase_resident
from bot.responses import response
from bot.switchboard import Outgoing, Switchboard

log = logging.getLogger(__name__)

ERASE, STOP = "verwijder", "stop"
# The payloads of the confirmation buttons in domain.yml (utter_gateway_erase_confirm).
ERASE_YES, ERASE_NO = "verwijder:ja", "verwijder:nee"
COMMANDS = (ERASE, STOP, ERASE_YES, ERASE_NO)

# Command replies are not stored, so they get ids of their own: negative, never a stored id.
_reply_ids = itertools.count(-1, -1)


def command_of(text: str) -> str | None:
    """The command a message gives, or None for anything the assistant should read."""
    text = text.strip()
    if text in (ERASE_YES, ERASE_NO):
        return text
    if not text.startswith("/"):
        return None
    name = text[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(text) > 1 else ""
    return name if name in (ERASE, STOP) else None


def said(name: str) -> Outgoing:
    """A gateway message from domain.yml as a reply a channel can show."""
    reply = response(name)
    buttons = [{"title": b["title"], "payload": b["payload"]} for b in reply.buttons]
    return Outgoing(next(_reply_ids), reply.text, buttons, "bot")


class Commands:
    """The commands of one channel."""

    def __init__(self, switchboard: Switchboard, channel: str) -> None:
        self.switchboard = switchboard
        self.channel = channel

    async def run(self, user_id: str, command: str) -> list[Outgoing]:
        if command == ERASE:
            return [said("utter_gateway_erase_confirm")]
        if command == ERASE_NO:
            return [said("utter_gateway_erase_cancelled")]
        if command == ERASE_YES:
            await self.erase(user_id)
            return [said("utter_gateway_erased")]
        if command == STOP:
            await self.stop(user_id)
            return [said("utter_gateway_stop")]
        raise ValueError(f"unknown command {command!r}")

    async def erase(self, user_id: str) -> Erased:
        """Everything about this resident, in the gateway and in Rasa."""
        resident = self.switchboard.pseudonym(self.channel, user_id)
        return await erase_resident(self.switchboard.sessions, self.switchboard.rasa, self.channel, resident)

    async def stop(self, user_id: str) -> bool:
        """Close the resident's conversation, as a worker closes it. False: there was none."""
        resident = self.switchboard.pseudonym(self.channel, user_id)
        async with self.switchboard.sessions.begin() as session:
            conversation = await find_conversation(session, self.channel, resident)
            if conversation is None:
                return False
            change = await lifecycle.close_by_resident(session, conversation)
            for question in self.switchboard.own_questions:  # an offer not answered ends with it
                await question.end(session, conversation.id)
        await self.switchboard.follow_up(change)
        log.info("%s: a resident closed their conversation", self.channel)
        return True
