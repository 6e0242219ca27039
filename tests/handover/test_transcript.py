"""How a transcript reads for a worker, without a server: button presses by their title, and a
returning resident's earlier cases cut off at each close (the closing messages stay with the
case they close)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.handover.pages.transcript import readable_entries, split_cases
from bot.store.models import AccessLog, Message

T0 = datetime(2026, 11, 23, 9, 0)


def msg(i: int, direction: str, text: str, minute: int, buttons=None) -> Message:
    sender = "resident" if direction == "in" else "bot"
    return Message(id=i, direction=direction, sender=sender, text=text, buttons=buttons,
                   created_at=T0 + timedelta(minutes=minute), status="done")


def test_a_pressed_button_reads_as_its_title_and_typed_text_stays_as_typed():
    offered = [{"title": "Westhaven", "payload": '/inform_location{"wijk": "Westhaven"}'},
               {"title": "Zeg ik liever niet", "payload": "/inform_location"}]
    entries = readable_entries([
        msg(1, "out", "Waar woon je?", 0, offered),
        msg(2, "in", '/inform_location{"wijk": "Westhaven"}', 1),
        msg(3, "out", "Dank je.", 2),
        msg(4, "in", "/inform_location", 3),  # the earlier offer still counts after a reply without buttons
        msg(5, "in", "/ask_human", 4),  # typed, never offered: shown as typed
    ])
    assert [(e.text, e.pressed) for e in entries if e.message.direction == "in"] == [
        ("Westhaven", True), ("Zeg ik liever niet", True), ("/ask_human", False)]


def test_earlier_cases_end_at_each_close_with_their_outcome():
    messages = [msg(1, "in", "ik heb schulden", 0), msg(2, "out", "Ik sluit het gesprek af.", 11),
                msg(3, "in", "daar ben ik weer", 30), msg(4, "out", "Welkom terug.", 31)]
    closes = [AccessLog(action="close", reason="afgesloten: Geholpen", at=T0 + timedelta(minutes=10))]
    earlier, current = split_cases(readable_entries(messages), closes)
    assert [[e.text for e in case.entries] for case in earlier] == [["ik heb schulden", "Ik sluit het gesprek af."]]
    assert earlier[0].outcome == "Geholpen" and earlier[0].closed_at == T0 + timedelta(minutes=10)
    assert [e.text for e in current.entries] == ["daar ben ik weer", "Welkom terug."]


def test_without_a_close_everything_is_the_current_case():
    messages = [msg(1, "in", "hoi", 0), msg(2, "out", "Hoi!", 1)]
    earlier, current = split_cases(readable_entries(messages), [])
    assert earlier == [] and len(current.entries) == 2
