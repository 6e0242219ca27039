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
