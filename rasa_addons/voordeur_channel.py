"""The gateway's input channel: one HTTP round trip per resident message.

    POST /webhooks/voordeur/webhook  {"sender": str, "message": str, "metadata": {...}}
    -> 200 {"parse": {...}, "messages": [...]}

`parse` is what `/model/parse` answers for the text (intent, confidence, intent_ranking,
entities and any key a pipeline component adds), `messages` what the REST channel answers
(the assistant's replies). Why: with the REST channel the gateway asked Rasa twice per message,
once for the intent it stores and once for the replies; the message is now parsed once, and
that same parse is what the dialogue sees (it is handed to the processor as `parse_data`).

The replies are generated for the resident's channel (`metadata.channel`), so a response with
`channel:` variants in domain.yml says what is true there (utter_privacy). Behaves like Rasa's
REST channel otherwise: one sender at a time (the agent's lock store), and
a failure while the dialogue runs still answers 200 with the replies collected so far (the
gateway then sends its safe answer). Logs carry error types only, never the resident's text.
Registered in credentials.yml; Rasa imports it from this folder (PYTHONPATH is the project).
"""

from __future__ import annotations

import logging
from typing import Any
from collections.abc import Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage

logger = logging.getLogger(__name__)


def _bad_request(detail: str) -> HTTPResponse:
    return response.json({"error": "bad_request", "detail": detail}, status=400)


class ResidentOutput(CollectingOutputChannel):
    """Collects the replies, named after the resident's channel (webchat, telegram, whatsapp),
    so that a response with a `channel:` variant in domain.yml says what is true there."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel

    def name(self) -> str:  # type: ignore[override]  # Rasa asks the instance for it
        return self.channel


class VoordeurInput(InputChannel):
    """Parse and dialogue in one request, for the Voordeur gateway."""

    @classmethod
    def name(cls) -> str:
        return "voordeur"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("voordeur_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            metadata = body.get("metadata") or {}
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return _bad_request("sender and message must be strings")
            if not isinstance(metadata, dict):
                return _bad_request("metadata must be an object")
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no_model"}, status=503)

            parse: dict[str, Any] = await agent.parse_message(text)
            collector = ResidentOutput(str(metadata.get("channel") or self.name()))
            message = UserMessage(
                text, collector, sender, parse_data=parse, input_channel=self.name(), metadata=metadata
            )
            try:
                await on_new_message(message)
            except Exception as error:  # as the REST channel: answer with what was collected
                logger.error("voordeur channel: dialogue failed (%s)", type(error).__name__)
            return response.json({"parse": parse, "messages": collector.messages})

        return webhook
