"""'wat kan je?' and 'kost dat geld?' (actions.actions.explain_again), without Rasa."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import explain_again


def explained(text: str, **slots) -> list[dict]:
    tracker = Tracker("r", slots, {"intent": {"name": "ask_clarify"}, "text": text},
                      [{"event": "user", "text": text, "metadata": {"desk_open": True}}], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    explain_again(dispatcher, tracker)
    return dispatcher.messages


@pytest.mark.parametrize("text", ["wat kan je", "wat kun jij voor mij doen", "wie ben jij", "wat kan je allemaal"])
@pytest.mark.parametrize("expecting", [None, "human"])  # also when a person was just offered
def test_what_the_assistant_is_for_is_said_with_the_themes_and_no_second_question(text, expecting):
    messages = explained(text, expecting=expecting)
    assert [m.get("response") for m in messages] == ["utter_explain_what_i_do"]


def test_the_cost_of_a_free_service_is_said_plainly_and_of_others_honestly():
    free = explained("kost dat geld?", routed_intent="debt_bills", wijk="Noord")
    assert any(m.get("text") == "Bij Schuldhulpverlening Voorbeeldstad is het gratis." for m in free)
    wmo = explained("moet ik betalen", routed_intent="care_home_support", wijk="Noord")
    assert any(m.get("response") == "utter_explain_cost" for m in wmo)
    assert not any("gratis" in (m.get("text") or "") for m in wmo)


@pytest.mark.parametrize("text, response", [
    ("wie ben jij", "utter_explain_what_i_do"), ("waar ben je voor", "utter_explain_what_i_do"),
    ("ben je een computer?", "utter_bot_challenge"),  # asks whether a person is wanted: answered as before
])
def test_who_are_you_says_what_the_assistant_is_for(text, response):
    from actions.actions import ActionAnswerWorry

    tracker = Tracker("r", {}, {"intent": {"name": "bot_challenge"}, "text": text},
                      [{"event": "user", "text": text, "metadata": {"desk_open": True}}], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionAnswerWorry().run(dispatcher, tracker, {})
    assert [m.get("response") for m in dispatcher.messages] == [response]
