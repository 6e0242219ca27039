"""Telegram: the real python-telegram-bot Application (polling and webhook mode) against the fake
Bot API server, with the real Rasa server and action server."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.store.models import Conversation, Message
from tests.channels.conftest import telegram_env
from tests.conftest import running_gateway
from tests.fakes.server import wait_until

CHAT = 5551001


def texts(sent) -> str:
    return " ".join(m["text"] for m in sent)


def buttons(message) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def count(gateway, model, *where) -> int:
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(select(func.count()).select_from(model).where(*where))


async def test_start_greets_and_a_debt_message_is_answered(telegram_gateway, fake_telegram):
    fake_telegram.push(fake_telegram.text_update(CHAT, "/start"))
    sent = await fake_telegram.wait_for_sent(1, CHAT)
    assert "digitale assistent" in texts(sent)

    fake_telegram.push(fake_telegram.text_update(CHAT, "ik heb heel veel schulden en de rekeningen stapelen zich op"))
    sent = await fake_telegram.wait_for_sent(len(sent) + 1, CHAT)
    reply = texts(sent[1:]).lower()
    assert "rekening" in reply or "schuld" in reply

    async with telegram_gateway.switchboard.sessions() as db:
        conversation = await db.scalar(select(Conversation).where(Conversation.channel == "telegram"))
    assert str(CHAT) not in conversation.resident and str(CHAT) not in (conversation.address or "")


async def test_a_button_press_is_answered_and_leads_on(telegram_gateway, fake_telegram):
    chat = CHAT + 1
    fake_telegram.push(fake_telegram.text_update(chat, "🙂🙂🙂"))
    sent = await fake_telegram.wait_for_sent(1, chat)
    offered = {title: data for m in sent for title, data in buttons(m).items()}
    assert "Overlast" in offered

    press = fake_telegram.push(fake_telegram.callback_update(chat, offered["Overlast"]))
    answered = await fake_telegram.wait_for_call("answerCallbackQuery")
    assert answered["callback_query_id"] == press["callback_query"]["id"]
    sent = await fake_telegram.wait_for_sent(len(sent) + 1, chat)
    topics = {title for m in sent[-2:] for title in buttons(m)}
    assert "Lawaai" in topics
    assert fake_telegram.calls_of("editMessageReplyMarkup")  # the pressed keyboard is removed


async def test_an_update_delivered_twice_is_answered_once(telegram_gateway, fake_telegram):
    chat = CHAT + 2
    update = fake_telegram.text_update(chat, "hallo")
    fake_telegram.push(update)
    first = await fake_telegram.wait_for_sent(1, chat)
    fake_telegram.push(update)  # Telegram delivers it again (lost acknowledgement)
    fake_telegram.push(fake_telegram.text_update(chat, "bedankt"))
    sent = await fake_telegram.wait_for_sent(len(first) + 1, chat)
    await asyncio.sleep(0.5)
    sent = fake_telegram.sent_to(chat)
    assert sum("digitale assistent" in m["text"] for m in sent) == 1
    assert await count(telegram_gateway, Message, Message.direction == "in") == 2


async def test_photo_voice_and_location_get_a_text_only_note(telegram_gateway, fake_telegram):
    chat = CHAT + 3
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    fake_telegram.push(fake_telegram.update_with(chat, photo=photo))
    fake_telegram.push(fake_telegram.update_with(chat, voice={"file_id": "v1", "file_unique_id": "u2", "duration": 3}))
    fake_telegram.push(fake_telegram.update_with(chat, location={"latitude": 52.1, "longitude": 5.1}))
    sent = await fake_telegram.wait_for_sent(3, chat)
    assert all("alleen tekst" in m["text"] for m in sent)
    assert await count(telegram_gateway, Message) == 0  # nothing of theirs is stored


async def test_group_chats_are_ignored(telegram_gateway, fake_telegram):
    group = -100200300
    fake_telegram.push(fake_telegram.text_update(group, "ik heb schulden", chat_type="supergroup"))
    fake_telegram.push(fake_telegram.text_update(group, "/start", chat_type="group"))
    chat = CHAT + 4  # a private message after them shows the group updates were handled
    fake_telegram.push(fake_telegram.text_update(chat, "hallo"))
    await fake_telegram.wait_for_sent(1, chat)
    await asyncio.sleep(0.3)
    assert fake_telegram.sent_to(group) == []
    assert await count(telegram_gateway, Conversation) == 1


async def test_edited_message_gets_a_note_and_is_not_processed_again(telegram_gateway, fake_telegram):
    chat = CHAT + 5
    fake_telegram.push(fake_telegram.edited_update(chat, "ik heb schulden"))
    sent = await fake_telegram.wait_for_sent(1, chat)
    assert "aangepast" in sent[0]["text"]
    assert await count(telegram_gateway, Message) == 0


async def test_verwijder_erases_after_confirmation(telegram_gateway, fake_telegram):
    chat = CHAT + 6
    other = CHAT + 7
    fake_telegram.push(fake_telegram.text_update(chat, "ik heb schulden"))
    fake_telegram.push(fake_telegram.text_update(other, "hallo"))
    await fake_telegram.wait_for_sent(1, chat)
    await fake_telegram.wait_for_sent(1, other)
    sb = telegram_gateway.switchboard
    mine = sb.pseudonym("telegram", str(chat))

    fake_telegram.push(fake_telegram.text_update(chat, "/verwijder"))
    sent = await fake_telegram.wait_for_sent(len(fake_telegram.sent_to(chat)) + 1, chat)
    confirm = buttons(sent[-1])
    assert set(confirm.values()) == {"verwijder:ja", "verwijder:nee"}

    fake_telegram.push(fake_telegram.callback_update(chat, confirm["Nee, niet wissen"]))
    await fake_telegram.wait_for_sent(len(sent) + 1, chat)
    assert await count(telegram_gateway, Conversation, Conversation.resident == mine) == 1

    fake_telegram.push(fake_telegram.callback_update(chat, confirm["Ja, wis alles"]))
    sent = await fake_telegram.wait_for_sent(len(sent) + 2, chat)
    assert "gewist" in sent[-1]["text"]
    assert await count(telegram_gateway, Conversation, Conversation.resident == mine) == 0
    assert await count(telegram_gateway, Conversation) == 1  # the other resident keeps theirs
    assert await count(telegram_gateway, Message, Message.conversation_id.not_in(
        select(Conversation.id))) == 0  # the messages went with the conversation


async def test_stop_closes_and_a_new_message_opens_again(telegram_gateway, fake_telegram):
    chat = CHAT + 8
    fake_telegram.push(fake_telegram.text_update(chat, "mag ik een medewerker spreken"))
    sent = await fake_telegram.wait_for_sent(2, chat)  # the handover and the wait notice
    assert await count(telegram_gateway, Conversation, Conversation.state == "waiting_for_human") == 1
    fake_telegram.push(fake_telegram.text_update(chat, "/stop"))
    sent = await fake_telegram.wait_for_sent(len(sent) + 1, chat)
    assert "stoppen" in sent[-1]["text"]
    assert await count(telegram_gateway, Conversation, Conversation.state == "closed") == 1
    fake_telegram.push(fake_telegram.text_update(chat, "/privacy"))
    sent = await fake_telegram.wait_for_sent(len(sent) + 1, chat)
    assert "30 dagen" in sent[-1]["text"]
    assert await count(telegram_gateway, Conversation, Conversation.state == "bot") == 1


async def test_webhook_mode_checks_the_secret_token(tmp_path, rasa_server, action_server, fake_telegram):
    env = telegram_env(fake_telegram, TELEGRAM_WEBHOOK_SECRET="s3cret-token",
                       TELEGRAM_WEBHOOK_URL="https://voordeur.example/webhooks/telegram")
    async with running_gateway(tmp_path, rasa_server.url, action_server.url, env) as gw:
        registered = await fake_telegram.wait_for_call("setWebhook")
        assert registered["secret_token"] == "s3cret-token"
        chat = CHAT + 9
        update = fake_telegram.text_update(chat, "hallo")
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            response = await gw.client.post("/webhooks/telegram", json=update, headers=headers)
            assert response.status_code == 403
        assert await count(gw, Message) == 0

        async def post():
            response = await gw.client.post("/webhooks/telegram", json=update,
                                            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            return response if response.status_code != 503 else None  # 503 while starting
        assert (await wait_until(post)).status_code == 200  # once stored ...
        await wait_until(lambda: "digitale assistent" in texts(fake_telegram.sent_to(chat)))  # ... then the answer
        await asyncio.sleep(0.5)
        answered = fake_telegram.sent_to(chat)
        assert (await post()).status_code == 200  # a retried delivery ...
        await asyncio.sleep(0.5)
        assert fake_telegram.sent_to(chat) == answered
        assert await count(gw, Message, Message.direction == "in") == 1  # ... is not stored twice
        assert not fake_telegram.calls_of("getUpdates")  # no polling in webhook mode


async def test_a_long_button_payload_travels_by_reference(telegram_gateway, fake_telegram):
    chat, stranger = CHAT + 10, CHAT + 11
    fake_telegram.push(fake_telegram.text_update(chat, "mag ik een medewerker spreken"))
    sent = await fake_telegram.wait_for_sent(1, chat)
    sb = telegram_gateway.switchboard
    async with sb.sessions() as db:
        conversation_id = await db.scalar(select(Conversation.id).where(
            Conversation.resident == sb.pseudonym("telegram", str(chat))))
    long_payload = '/choose_theme{"theme": "overlast", "bron": "' + "x" * 60 + '"}'
    reply = await sb.add_outgoing(conversation_id, "Gaat het over overlast?", sender="human",
                                  buttons=[{"title": "Ja", "payload": long_payload}])
    sent = await fake_telegram.wait_for_sent(len(sent) + 1, chat)
    data = buttons(sent[-1])["Ja"]
    assert data == f"b:{reply.id}:0"

    fake_telegram.push(fake_telegram.callback_update(stranger, data))  # not their message
    fake_telegram.push(fake_telegram.callback_update(chat, data))
    await wait_until(lambda: _stored_texts(telegram_gateway))
    assert long_payload in await _stored_texts(telegram_gateway)
    assert await count(telegram_gateway, Conversation) == 1  # the stranger's tap stored nothing


async def _stored_texts(gateway) -> list[str]:
    async with gateway.switchboard.sessions() as db:
        return [t for t in await db.scalars(select(Message.text).where(Message.direction == "in")) if t.startswith("/choose")]


def broken_sessions():
    """A session factory whose database does not answer (connection refused)."""
    from bot.store.db import make_engine, make_sessionmaker
    from tests.conftest import dead_url

    engine = make_engine("postgresql+asyncpg://nobody@" + dead_url().removeprefix("http://") + "/none")
    return engine, make_sessionmaker(engine)


async def test_polling_update_arriving_while_the_database_is_away_is_answered_later(telegram_gateway, fake_telegram):
    chat = CHAT + 12
    working = telegram_gateway.switchboard.sessions
    engine, telegram_gateway.switchboard.sessions = broken_sessions()
    try:
        fake_telegram.push(fake_telegram.text_update(chat, "ik heb schulden"))
        await wait_until(lambda: len(fake_telegram.calls_of("getUpdates")) > 3)  # polled past it
        await asyncio.sleep(1)
        assert fake_telegram.sent_to(chat) == []
    finally:
        telegram_gateway.switchboard.sessions = working
        await engine.dispose()
    sent = await fake_telegram.wait_for_sent(1, chat, timeout=30)
    assert "schuld" in texts(sent).lower() or "rekening" in texts(sent).lower()
    assert await count(telegram_gateway, Message, Message.direction == "in") == 1


async def test_webhook_update_the_database_cannot_take_gets_503_so_telegram_retries(tmp_path, rasa_server, action_server, fake_telegram):
    env = telegram_env(fake_telegram, TELEGRAM_WEBHOOK_SECRET="s3cret-token")
    async with running_gateway(tmp_path, rasa_server.url, action_server.url, env) as gw:
        chat = CHAT + 13
        update = fake_telegram.text_update(chat, "hallo")
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}

        async def post():
            response = await gw.client.post("/webhooks/telegram", json=update, headers=headers)
            return response if response.json().get("error") != "starting" else None
        working = gw.switchboard.sessions
        engine, gw.switchboard.sessions = broken_sessions()
        try:
            assert (await wait_until(post)).status_code == 503
        finally:
            gw.switchboard.sessions = working
            await engine.dispose()
        assert (await post()).status_code == 200  # stored; the answer follows
        await wait_until(lambda: "digitale assistent" in texts(fake_telegram.sent_to(chat)))
        assert await count(gw, Message, Message.direction == "in") == 1
