"""The plain functions behind the channels: signatures, message shapes, payload references."""

from __future__ import annotations

from bot.channels.ordering import RecentIds
from bot.channels.base import split_text
from bot.channels.telegram import callback_data, keyboard
from bot.channels.whatsapp import incoming_messages, payloads_for, signature, signature_ok, template_payload
from bot.switchboard import Outgoing


def item(text="Kies maar.", n=0, title="Optie") -> Outgoing:
    return Outgoing(7, text, [{"title": f"{title} {i}", "payload": f"/p{i}"} for i in range(1, n + 1)], "bot")


def test_signature_is_checked_on_the_raw_body():
    body = b'{"entry": []}'
    good = signature("geheim", body)
    assert signature_ok("geheim", body, good)
    assert not signature_ok("geheim", body + b" ", good)
    assert not signature_ok("ander", body, good)
    assert not signature_ok("geheim", body, None) and not signature_ok("geheim", body, "")


def test_whatsapp_buttons_numbered_list_and_template():
    three = payloads_for("316", item(n=3))
    assert three[0]["type"] == "interactive" and len(three[0]["interactive"]["action"]["buttons"]) == 3
    four = payloads_for("316", item(n=4))
    assert four[0]["type"] == "text" and "4. Optie 4" in four[0]["text"]["body"]
    long_title = payloads_for("316", item(n=2, title="Een veel te lange knoptitel"))
    assert long_title[0]["type"] == "text"
    long_text = payloads_for("316", item(text="x" * 5000))
    assert [len(p["text"]["body"]) for p in long_text] == [4096, 904]
    template = template_payload("316", item(text="Regel een.\n\nRegel    twee."), "t", "nl")
    assert template["template"]["components"][0]["parameters"][0]["text"] == "Regel een. Regel twee."


def test_incoming_skips_statuses_reactions_and_junk():
    value = {"metadata": {"phone_number_id": "1"}, "statuses": [{"id": "x"}], "messages": [
        {"from": "316", "id": "a", "type": "text", "text": {"body": " hoi "}},
        {"from": "316", "id": "b", "type": "reaction", "reaction": {"emoji": "👍"}},
        {"from": "316", "id": "c", "type": "audio", "audio": {"id": "m"}},
        {"from": "316", "id": "d", "type": "button", "button": {"payload": "/ask_human", "text": "Ja"}},
        {"id": "e", "type": "text"}, "junk",
    ]}
    payload = {"entry": [{"changes": [{"field": "messages", "value": value}]}]}
    found = incoming_messages(payload, "1")
    assert [(m.message_id, m.text) for m in found] == [("a", "hoi"), ("c", None), ("d", "/ask_human")]
    assert incoming_messages(payload, "2") == [] and incoming_messages(["x"], "1") == []


def test_telegram_long_payloads_are_referenced_by_stored_button():
    assert callback_data(5, 0, "/greet") == "/greet"
    assert callback_data(5, 1, "/x" + "y" * 80) == "b:5:1"
    assert callback_data(5, 2, "b:looks-like-a-reference") == "b:5:2"
    markup = keyboard(item(n=2))
    assert [row[0].callback_data for row in markup.inline_keyboard] == ["/p1", "/p2"]
    assert keyboard(item()) is None
    assert split_text("a" * 5000) == ["a" * 4096, "a" * 904] and split_text("") == [""]


def test_recent_ids_forget_the_oldest():
    seen = RecentIds(size=2)
    for key in (1, 2, 3):
        seen.add(key)
    assert 1 not in seen and 2 in seen and 3 in seen


def test_typed_commands_reach_the_assistant_as_words():
    from bot.channels.telegram import as_words
    assert as_words("/hulp") == "hulp"
    assert as_words("/help@voordeur_bot ik heb schulden") == "help ik heb schulden"
    assert as_words('  /ask_human ') == "ask_human"
    assert as_words(" gewoon tekst ") == "gewoon tekst"
