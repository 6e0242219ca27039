""""Is het gelukt?" (issue 15.5), through a running gateway with the real assistant: a resident who
was only given a number agrees to be asked again; days later (time travel: the job runs at the
due date) the question comes on their channel; the answer, a button or their own words, becomes
the need log's real outcome. The offer waits until a turn asks nothing else: first the resident
answers the assistant's own question ("Wil je het adres en de openingstijden?"). Telegram asks
with buttons (fake Bot API); WhatsApp outside its 24-hour window with the approved template (fake
Graph API, signed webhooks). The web chat says the question waits in this chat window, and the
page shows it when it is opened again in that tab."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select, update

from bot.config import Settings
from bot.directory import DEFAULT_PATH, load_directory
from bot.follow_up import FollowUp, ask_due, due_moment, read_answer, read_consent
from bot.needs.models import CaseNeed, NeedEvent
from bot.retention import delete_expired
from bot.store.models import Conversation, Message
from tests.browser import chromium_page
from tests.channels.conftest import telegram_env
from tests.channels.test_telegram import buttons
from tests.conftest import running_gateway
from tests.fakes.graph_server import running_fake_graph
from tests.fakes.server import wait_until
from tests.fakes.telegram_server import running_fake_telegram

FOOD = "ik heb geen eten meer in huis en geen geld"  # routed to the Voedselbank (no call back)
SERVICE = "Voedselbank Voorbeeldstad"
QUESTION = f"Is het gelukt om {SERVICE} te bellen?"
OFFER = "Zal ik over een paar dagen vragen of het gelukt is?"  # Telegram, WhatsApp
WEB_OFFER = "Zal ik over een paar dagen in dit chatvenster vragen of het gelukt is?"
DETAILS = "Wil je het adres en de openingstijden?"  # the assistant's own question after the number
PERSON = "Wil je dat een medewerker met je meekijkt?"  # and its next one, while the desk is open

pytestmark = pytest.mark.usefixtures("desk_open")  # the same conversation at any hour CI runs it


def buttons_of(messages: list[dict], text: str) -> dict[str, str]:
    found = [m for m in messages if m["text"].startswith(text)]
    assert found, f"no message starting {text!r} in {[m['text'] for m in messages]}"
    return {b["title"]: b["payload"] for b in found[-1]["buttons"]}


async def messages(gw, session: str) -> list[dict]:
    reply = await gw.client.get("/api/webchat/messages?after=0", headers={"X-Webchat-Session": session})
    return reply.json()["messages"]


async def follow_up_of(gw, session: str | None = None) -> FollowUp:
    async with gw.switchboard.sessions() as db:
        query = select(FollowUp).join(Conversation, Conversation.id == FollowUp.conversation_id)
        if session is not None:
            query = query.where(Conversation.resident == gw.switchboard.pseudonym("webchat", session))
        found = await db.scalar(query)
    assert found is not None
    return found


async def need_outcome(gw, follow_up: FollowUp) -> str:
    async with gw.switchboard.sessions() as db:
        return await db.scalar(select(NeedEvent.outcome).join(CaseNeed, CaseNeed.need_event_id == NeedEvent.id).where(
            CaseNeed.conversation_id == follow_up.conversation_id, CaseNeed.intent == follow_up.intent))


async def event_count(gw) -> int:
    async with gw.switchboard.sessions() as db:
        return await db.scalar(select(func.count(NeedEvent.id))) or 0


def texts(body: dict) -> list[str]:
    return [m["text"] for m in body["messages"]]


async def offered(gw, session: str, details: str = "Ja, graag") -> dict[str, str]:
    """Routed to the Voedselbank: the number, and the assistant's own question. The follow-up
    waits (one question at a time) until the resident has answered that question."""
    body = await gw.say(session, FOOD)
    assert "0123-456 750" in " ".join(texts(body))
    assert not any("of het gelukt is" in text for text in texts(body))  # not stacked on the question
    assert (await follow_up_of(gw, session)).status == "waiting"
    body = await gw.say(session, buttons_of(body["messages"], DETAILS)[details])
    assert not any("of het gelukt is" in text for text in texts(body))  # again a question of its own
    assert (await follow_up_of(gw, session)).status == "waiting"
    body = await gw.say(session, buttons_of(body["messages"], PERSON)["Nee, dank je"])
    assert texts(body)[-1] == WEB_OFFER + " Je ziet de vraag alleen als je dit venster open laat."
    assert [bool(m["buttons"]) for m in body["messages"]][:-1] == [False] * (len(body["messages"]) - 1)
    assert (await follow_up_of(gw, session)).status == "offered"
    offer = buttons_of(body["messages"], WEB_OFFER)
    assert list(offer) == ["Ja, vraag het me", "Nee"]
    return offer


async def agreed(gw, session: str) -> FollowUp:
    """The resident answers the assistant's question, then presses "Ja, vraag het me"."""
    offer = await offered(gw, session)
    body = await gw.say(session, offer["Ja, vraag het me"])  # the page posts the button's payload
    follow_up = await follow_up_of(gw, session)
    assert follow_up.status == "planned" and follow_up.due_at is not None
    promise = texts(body)[0]
    assert promise.startswith("Goed. Op ") and "staat de vraag hier in dit chatvenster" in promise
    assert "Sluit je het venster? Dan zie je de vraag niet." in promise  # honest: the tab keeps it
    return follow_up


async def asked(gw, session: str, follow_up: FollowUp) -> dict[str, str]:
    """Time travel to the due date: the job asks, the web chat has the question waiting."""
    assert follow_up.due_at is not None
    assert await ask_due(gw.switchboard, now=follow_up.due_at.replace(tzinfo=UTC) - timedelta(minutes=1)) == 0
    assert await ask_due(gw.switchboard, now=follow_up.due_at.replace(tzinfo=UTC)) == 1
    assert await ask_due(gw.switchboard, now=follow_up.due_at.replace(tzinfo=UTC) + timedelta(days=1)) == 0
    return buttons_of(await messages(gw, session), QUESTION)


async def test_each_answer_becomes_the_need_log_outcome(gateway):
    gw = gateway
    cases = {  # session: (how the resident answers, the outcome, what the reply says)
        "w" + "a" * 32: ("Ja, ik heb contact", "contact_made", "Fijn dat het gelukt is"),
        "w" + "b" * 32: ("Nee, niet gelukt", "contact_failed", "Wat vervelend dat het niet lukte"),
        "w" + "c" * 32: ("Ik geef het op", "gave_up", "Dat snap ik"),
        "w" + "1" * 32: ("ja gelukt hoor", "contact_made", "Fijn dat het gelukt is"),
        "w" + "2" * 32: ("nee ze namen niet op", "contact_failed", "Wat vervelend dat het niet lukte"),
        "w" + "8" * 32: ("ja maar ze konden niks doen", "contact_made", "Je hebt ze gesproken, maar ze konden je"),
        "w" + "9" * 32: ("ben het vergeten eerlijk gezegd", "still_waiting", "Goed. Ik vraag het je nog één keer"),
        "w" + "d" * 32: ("nog nie", "still_waiting", "Goed. Ik vraag het je nog één keer"),
        "w" + "e" * 32: ("weet ik niet meer", "still_waiting", "Goed. Ik vraag het je nog één keer"),
    }
    for session, (answer, outcome, reply) in cases.items():
        follow_up = await agreed(gw, session)
        before = await need_outcome(gw, follow_up)
        assert before in ("met", "out_of_hours")  # "routed" ...
        choices = await asked(gw, session, follow_up)
        assert list(choices) == ["Ja, ik heb contact", "Nee, niet gelukt", "Nog niet", "Ik geef het op"]
        events = await event_count(gw)
        body = await gw.say(session, choices.get(answer, answer))  # a button, or their own words
        assert any(m["text"].startswith(reply) for m in body["messages"]), (answer, texts(body))
        assert body["state"] == "bot" and not any("113" in text for text in texts(body))  # no crisis guess
        assert await need_outcome(gw, follow_up) == outcome  # ... becomes what really happened
        assert await event_count(gw) == events  # the resident still counts once
        async with gw.switchboard.sessions() as db:
            answered = await db.scalar(select(Message).where(Message.direction == "in").order_by(Message.id.desc()))
        assert answered is not None and answered.intent is None  # never seen by the assistant
        if outcome in ("contact_failed", "gave_up") or answer.startswith("ja maar"):  # a person, or another way
            assert "/ask_human" in [b["payload"] for m in body["messages"] for b in m["buttons"]]
        if outcome == "contact_failed":  # one message: sorry, the number, then the choice with buttons
            [failed] = body["messages"]
            assert failed["text"].startswith("Wat vervelend dat het niet lukte.")
            assert failed["text"].index("0123-456 750") < failed["text"].index("Of wil je dat een medewerker")
            assert [b["title"] for b in failed["buttons"]] == ["Een medewerker", "Ik bel zelf nog een keer"]

    # "Ik bel zelf" is answered (no person), and the person button really leads to the queue.
    body = await gw.say("w" + "2" * 32, "gelukt:zelf:voedselbank")
    assert texts(body) == ["Goed. Lukt het toch niet? Stuur gerust een bericht. Dan zoeken we samen verder."]
    body = await gw.say("w" + "b" * 32, "/ask_human")
    assert body["state"] == "waiting_for_human"


async def test_nog_niet_asks_once_more_then_never_again(gateway):
    gw, session = gateway, "w" + "3" * 32
    follow_up = await agreed(gw, session)
    choices = await asked(gw, session, follow_up)
    body = await gw.say(session, "nog niet gebeld")
    assert body["messages"][0]["text"].startswith("Goed. Ik vraag het je nog één keer")
    assert await need_outcome(gw, follow_up) == "still_waiting"
    again = await follow_up_of(gw, session)
    assert again.status == "planned" and again.due_at > follow_up.due_at
    choices = await asked(gw, session, again)
    body = await gw.say(session, choices["Nog niet"])
    assert body["messages"][0]["text"].startswith("Goed. Ik vraag het niet meer.")
    assert await ask_due(gw.switchboard, now=datetime.now(UTC) + timedelta(days=60)) == 0
    assert len([m for m in await messages(gw, session) if m["text"] == QUESTION]) == 2


async def test_no_means_never_asked_and_not_offered_again(gateway):
    gw, session = gateway, "w" + "4" * 32
    offer = await offered(gw, session, details="Nee, dank je")
    body = await gw.say(session, offer["Nee"])
    assert texts(body) == ["Goed. Dan vraag ik het niet."]
    assert (await follow_up_of(gw, session)).status == "declined"
    for said in ("waar is de voedselbank", "/deny"):
        body = await gw.say(session, said)
        assert not any("of het gelukt is" in text for text in texts(body))
    assert await ask_due(gw.switchboard, now=datetime.now(UTC) + timedelta(days=60)) == 0


async def test_erase_and_retention_delete_follow_ups(gateway):
    gw = gateway
    await agreed(gw, "w" + "5" * 32)
    reply = await gw.client.post("/api/webchat/erase", json={"session": "w" + "5" * 32})
    assert reply.status_code == 200
    async with gw.switchboard.sessions() as db:
        assert await db.scalar(select(FollowUp)) is None

    await agreed(gw, "w" + "6" * 32)
    async with gw.switchboard.sessions.begin() as db:  # a month passes without a word
        month_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=31)
        await db.execute(update(Message).values(created_at=month_ago))
        await db.execute(update(Conversation).values(updated_at=month_ago))
    expired = await delete_expired(gw.switchboard.sessions)
    assert expired.conversations == 1
    async with gw.switchboard.sessions() as db:
        assert await db.scalar(select(FollowUp)) is None


async def test_the_web_chat_page_shows_the_question_when_the_resident_comes_back(gateway):
    gw, session = gateway, "w" + "7" * 32
    follow_up = await agreed(gw, session)
    async with chromium_page() as page:
        await page.add_init_script(f"sessionStorage.setItem('voordeur-session', '{session}');")
        await page.goto(gw.url + "/")
        await page.wait_for_selector("text=staat de vraag hier in dit chatvenster")
        assert await page.locator(f"text={QUESTION}").count() == 0
        await ask_due(gw.switchboard, now=follow_up.due_at.replace(tzinfo=UTC))
        await page.reload()  # the resident comes back (same tab)
        await page.wait_for_selector(f"text={QUESTION}")
        await page.get_by_role("button", name="Ja, ik heb contact").click()
        await page.wait_for_selector("text=Fijn dat het gelukt is")
    assert await need_outcome(gw, follow_up) == "contact_made"


async def test_ending_the_chat_ends_the_unanswered_offer_and_keeps_one_agreed_to(gateway):
    """The resident stopped with our offer open: after they come back, "ja" is not taken as its
    answer, and nothing is planned. A question they agreed to before stopping is still asked."""
    gw, open_offer, agreed_to = gateway, "w" + "f" * 32, "w" + "g" * 32
    await offered(gw, open_offer)
    assert (await gw.client.post("/api/webchat/end", json={"session": open_offer})).status_code == 200
    body = await gw.say(open_offer, "ja")
    assert not any(text.startswith("Goed. Op ") for text in texts(body))
    async with gw.switchboard.sessions() as db:
        left = await db.scalar(select(func.count(FollowUp.id)).join(Conversation, Conversation.id == FollowUp.conversation_id)
                               .where(Conversation.resident == gw.switchboard.pseudonym("webchat", open_offer)))
    assert left == 0

    follow_up = await agreed(gw, agreed_to)
    assert (await gw.client.post("/api/webchat/end", json={"session": agreed_to})).status_code == 200
    assert (await follow_up_of(gw, agreed_to)).status == "planned"
    assert await asked(gw, agreed_to, follow_up)  # the job still asks it, with its answer buttons


async def test_whatsapp_asks_with_the_approved_template_outside_the_24_hours(tmp_path, rasa_server, action_server):
    wa = "31612345699"
    async with running_fake_graph() as graph:
        env = {**graph.env(), "WHATSAPP_TEMPLATE_NAME": "voordeur_bericht",
               "WHATSAPP_FOLLOW_UP_TEMPLATE": "voordeur_is_het_gelukt", "WHATSAPP_FOLLOW_UP_TEMPLATE_LANGUAGE": "nl"}
        async with running_gateway(tmp_path, rasa_server.url, action_server.url, env) as gw:
            async def post(body: bytes, signed: bool = True) -> int:
                headers = graph.signed_headers(body) if signed else {"content-type": "application/json"}
                return (await gw.client.post("/webhooks/whatsapp", content=body, headers=headers)).status_code

            def interactive(text: str) -> dict | None:
                return next((m for m in graph.sent_to(wa) if m.get("type") == "interactive"
                             and m["interactive"]["body"]["text"] == text), None)

            assert await post(graph.text_webhook(wa, FOOD, "wamid.f1")) == 200
            details = await wait_until(lambda: interactive(DETAILS), timeout=60)
            assert interactive(OFFER) is None  # one question at a time
            accept = details["interactive"]["action"]["buttons"][0]["reply"]
            assert await post(graph.button_reply_webhook(wa, accept["id"], accept["title"], "wamid.f0")) == 200
            person = await wait_until(lambda: interactive(PERSON), timeout=60)
            assert interactive(OFFER) is None
            decline = person["interactive"]["action"]["buttons"][1]["reply"]
            assert decline["title"] == "Nee, dank je"
            assert await post(graph.button_reply_webhook(wa, decline["id"], decline["title"], "wamid.f00")) == 200
            offer = await wait_until(lambda: interactive(OFFER), timeout=60)
            yes = offer["interactive"]["action"]["buttons"][0]["reply"]
            assert yes["title"] == "Ja, vraag het me"
            count = len(graph.sent_to(wa))
            assert await post(graph.button_reply_webhook(wa, yes["id"], yes["title"], "wamid.f2")) == 200
            await graph.wait_for_sent(count + 1, wa)
            async with gw.switchboard.sessions() as db:
                follow_up = await db.scalar(select(FollowUp))
            assert follow_up is not None and follow_up.status == "planned" and follow_up.due_at is not None

            # Days pass: the resident's 24-hour window is closed when the question is due.
            async with gw.switchboard.sessions.begin() as db:
                await db.execute(update(Message).where(Message.direction == "in")
                                 .values(created_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3)))
            count = len(graph.sent_to(wa))
            assert await ask_due(gw.switchboard, now=follow_up.due_at.replace(tzinfo=UTC)) == 1
            template = (await graph.wait_for_sent(count + 1, wa))[-1]
            assert template["type"] == "template"
            assert template["template"]["name"] == "voordeur_is_het_gelukt"
            assert template["template"]["language"] == {"code": "nl"}
            body, *quick_replies = template["template"]["components"]
            assert body["parameters"] == [{"type": "text", "text": SERVICE}]
            payloads = [c["parameters"][0]["payload"] for c in quick_replies]
            assert [c["sub_type"] for c in quick_replies] == ["quick_reply"] * 4
            assert [c["index"] for c in quick_replies] == ["0", "1", "2", "3"]

            # A forged answer changes nothing; the resident's quick reply does.
            answer = graph.message_webhook(wa, "wamid.f3", "button", {"payload": payloads[0], "text": "Ja, ik heb contact"})
            assert await post(answer, signed=False) == 403
            assert await need_outcome(gw, follow_up) in ("met", "out_of_hours")
            count = len(graph.sent_to(wa))
            assert await post(answer) == 200
            reply = (await graph.wait_for_sent(count + 1, wa))[-1]
            assert reply["type"] == "text" and reply["text"]["body"].startswith("Fijn dat het gelukt is")
            assert await need_outcome(gw, follow_up) == "contact_made"
            assert await post(answer) == 200  # Meta delivers it again: answered once
            assert len(graph.sent_to(wa)) == count + 1


async def test_telegram_asks_with_buttons_and_a_press_answers(tmp_path, rasa_server, action_server):
    chat = 5152
    async with running_fake_telegram() as telegram, \
            running_gateway(tmp_path, rasa_server.url, action_server.url, telegram_env(telegram)) as gw:
        await telegram.wait_for_call("getUpdates")
        telegram.push(telegram.text_update(chat, FOOD))
        sent = await wait_for(telegram, chat, DETAILS)
        assert not any(m["text"] == OFFER for m in sent)  # one question at a time
        telegram.push(telegram.callback_update(chat, buttons(sent[-1])["Ja, graag"]))
        sent = await wait_for(telegram, chat, PERSON)
        assert not any(m["text"] == OFFER for m in sent)
        telegram.push(telegram.callback_update(chat, buttons(sent[-1])["Nee, dank je"]))
        sent = await wait_for(telegram, chat, OFFER)
        telegram.push(telegram.callback_update(chat, buttons(sent[-1])["Ja, vraag het me"]))
        await wait_for(telegram, chat, "Goed. Ik vraag het je op ")
        async with gw.switchboard.sessions() as db:
            follow_up = await db.scalar(select(FollowUp))
        assert follow_up is not None and follow_up.due_at is not None

        assert await ask_due(gw.switchboard, now=follow_up.due_at.replace(tzinfo=UTC)) == 1
        sent = await wait_for(telegram, chat, QUESTION)
        choices = buttons(sent[-1])
        assert list(choices) == ["Ja, ik heb contact", "Nee, niet gelukt", "Nog niet", "Ik geef het op"]
        telegram.push(telegram.callback_update(chat, choices["Nee, niet gelukt"]))
        sent = await wait_for(telegram, chat, "Wat vervelend dat het niet lukte")
        assert list(buttons(sent[-1])) == ["Een medewerker", "Ik bel zelf nog een keer"]
        assert "/ask_human" in buttons(sent[-1]).values()
        assert "0123-456 750" in sent[-1]["text"]  # the number with the sorry, before the choice
        assert await need_outcome(gw, follow_up) == "contact_failed"
        assert len([m for m in telegram.sent_to(chat) if m["text"] == QUESTION]) == 1


async def wait_for(telegram, chat: int, start: str) -> list[dict]:
    """Everything sent to the chat, once a message starting with `start` is among it."""
    def arrived():
        sent = telegram.sent_to(chat)
        return sent if any(m["text"].startswith(start) for m in sent) else None
    sent = await wait_until(arrived, timeout=60)
    while not sent[-1]["text"].startswith(start):  # the message itself last
        sent = sent[:-1]
    return sent


def test_the_question_is_due_at_ten_after_working_days_over_christmas(tmp_path):
    directory = load_directory(DEFAULT_PATH)
    christmas_eve = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # Thursday; 25, 26 holidays, then a weekend
    assert due_moment(directory, christmas_eve, 3) == datetime(2026, 12, 30, 9, 0)  # 10:00 in Amsterdam
    settings = [Settings.load({"VOORDEUR_DATA_DIR": str(tmp_path), **env}).follow_up_days
                for env in ({}, {"VOORDEUR_FOLLOW_UP_DAYS": "5"}, {"VOORDEUR_FOLLOW_UP_DAYS": "50"})]
    assert settings == [3, 5, 20]


@pytest.mark.parametrize(("said", "answer"), [
    ("ja gelukt hoor", "contact_made"), ("Ja! ik heb ze gesproken", "contact_made"), ("ja", "contact_made"),
    ("nee ze namen niet op", "contact_failed"), ("niet gelukt, steeds bezet", "contact_failed"),
    ("ik ben er niet doorgekomen", "contact_failed"),
    ("nog niet gebeld", "still_waiting"), ("nee, nog niet", "still_waiting"),
    ("ik geef het op", "gave_up"), ("laat maar", "gave_up"),
    # The tester's residents (issue 15 follow-up): typos, chat spelling, "vergeten", not helped.
    ("nog nie", "still_waiting"), ("weet ik niet meer", "still_waiting"),
    ("ben het vergeten eerlijk gezegd", "still_waiting"), ("nog niet aan toegekomen", "still_waiting"),
    ("k ben t vergeten", "still_waiting"), ("nog ff niet", "still_waiting"), ("geen idee", "still_waiting"),
    ("ik bel morgen", "still_waiting"),
    ("ja maar ze konden niks doen", "not_helped"), ("ze kunnen niks voor me doen", "not_helped"),
    ("gesproken maar ik ben afgewezen", "not_helped"), ("nee ze konden me niet helpen", "not_helped"),
    ("jaaa gelukt", "contact_made"), ("jep", "contact_made"), ("ik heb morgen een afspraak", "contact_made"),
    ("niet gelukd", "contact_failed"), ("neee", "contact_failed"), ("nie gelukt, bezet", "contact_failed"),
    ("wat zijn de openingstijden van het stadhuis", None),
    ("ik heb ook nog een huurschuld en de verhuurder wil me eruit zetten volgende maand", None),
])
def test_free_words_are_read_as_an_answer_only_when_clear(said, answer):
    assert read_answer(said) == answer


@pytest.mark.parametrize(("said", "consent"), [
    ("ja graag", "ja"), ("oké", "ja"), ("nee hoor", "nee"), ("liever niet", "nee"), ("jaaa", "ja"), ("neej", "nee"),
    ("ja maar ik heb ook schulden", None), ("hoe laat gaan ze open", None),
])
def test_yes_or_no_to_the_offer(said, consent):
    assert read_consent(said) == consent
