"""Short answers read against the question asked last (actions/asked.py), without servers."""

from __future__ import annotations

import pytest

from actions.asked import NO, UNSURE, YES, asks_about_cost, short_answer


@pytest.mark.parametrize("intent, text, expected", [
    ("affirm", "ja graag", YES),
    ("deny", "nee hoor", NO),
    ("unsure", "misschien", UNSURE),
    # The model filed the answer elsewhere; the words still answer the question.
    ("thank", "ok dank je", YES),
    ("out_of_scope", "jawel", YES),
    ("out_of_scope", "liever niet", NO),
    ("nlu_fallback", "weet ik niet", UNSURE),
    ("nlu_fallback", "weet niet", UNSURE),
    ("greet", "nee", NO),
    # Not an answer: a new message with its own content.
    ("debt_bills", "ja ik heb ook nog schulden bij de energie", None),
    ("nlu_fallback", "", None),
])
def test_short_answers_in_residents_words(intent, text, expected):
    assert short_answer(intent, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("kost dat geld?", True), ("is het gratis", True), ("moet ik betalen", True),
    ("wat bedoel je", False), ("en nu?", False),
])
def test_questions_about_cost(text, expected):
    assert asks_about_cost(text) is expected


def test_a_need_in_a_message_read_as_a_place():
    from actions.actions import ActionRouteNeed

    find = ActionRouteNeed.need_named_with_place
    ranking = [{"name": "inform_location", "confidence": 0.7}, {"name": "debt_bills", "confidence": 0.26}]
    assert find("ik woon in utrecht en heb schulden", "inform_location", ranking) == "debt_bills"
    assert find("de hangjongeren maken me bang, ik woon in noord", "inform_location",
                [{"name": "inform_location", "confidence": 0.99}]) == "nuisance_youth"
    assert find("ze woont in noord", "inform_location", [{"name": "inform_location", "confidence": 1.0}]) is None
    assert find("ik heb schulden", "debt_bills", ranking) is None
