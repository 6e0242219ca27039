"""Splitting a message into clauses and keeping every confident need (rasa_addons/needs.py),
with a stand-in ranking so the decision rule itself is checked without a model."""

from __future__ import annotations

from rasa_addons.needs import clauses, find_needs


def test_clauses_split_at_sentence_ends_commas_and_joining_words():
    assert clauses("schulden en herrie") == ["schulden", "herrie"]
    assert clauses("Deurwaarder komt morgen. Huur is achter, en ik ben stressed af want alles") == [
        "Deurwaarder komt morgen", "Huur is achter", "ik ben stressed af", "alles"]
    assert clauses("rent is overdue and i am stressed") == ["rent is overdue", "i am stressed"]
    assert clauses("...") == []


def test_words_that_only_contain_a_joining_word_are_not_split():
    assert clauses("mijn buren benen kapot") == ["mijn buren benen kapot"]


KEYWORDS = {"schuld": "debt_bills", "deurwaarder": "debt_bailiff", "herrie": "nuisance_noise", "hoi": "greet"}


def fake_rank(texts):
    """Best intent = first keyword in the text, sure (0.9); otherwise an unsure guess."""
    for text in texts:
        hits = [intent for word, intent in KEYWORDS.items() if word in text.lower()]
        yield [{"name": hits[0], "confidence": 0.9}] if hits else [{"name": "debt_food", "confidence": 0.2}]


def is_need(intent):
    return intent.startswith(("debt_", "care_", "nuisance_"))


def test_every_confident_need_once_in_the_order_written():
    needs = find_needs("hoi, schulden en de deurwaarder komt, en schulden en herrie", fake_rank, is_need, 0.4)
    assert [n["intent"] for n in needs] == ["debt_bills", "debt_bailiff", "nuisance_noise"]


def test_unsure_clauses_and_conversation_intents_add_nothing():
    assert find_needs("hoi, iets anders", fake_rank, is_need, 0.4) == []


def test_clauses_that_name_no_problem_are_left_out():
    assert clauses("ik zorg voor mn vader en ik kan niet meer") == ["ik zorg voor mn vader"]
    assert clauses("help, alles gaat mis, de deurwaarder komt") == ["de deurwaarder komt"]
    assert clauses("ik kan niet meer traplopen") == ["ik kan niet meer traplopen"]
