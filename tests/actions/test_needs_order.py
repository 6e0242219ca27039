"""The order in which the needs of one message are taken (actions/needs.py), without servers."""

from __future__ import annotations

from actions.needs import by_urgency, heard, is_long_story, merge_open, needs_in_message


def test_urgent_needs_come_first_in_a_fixed_order_the_rest_as_written():
    assert by_urgency(["care_mental", "debt_energy", "debt_bills", "debt_food", "debt_bailiff", "debt_rent"]) == [
        "debt_food", "debt_rent", "debt_bailiff", "debt_energy", "care_mental", "debt_bills"]


def test_every_need_the_classifier_found_is_kept_once():
    found = [{"intent": "debt_bills", "confidence": 0.9}, {"intent": "debt_bailiff", "confidence": 0.8},
             {"intent": "debt_rent", "confidence": 0.7}, {"intent": "debt_benefits", "confidence": 0.6},
             {"intent": "greet", "confidence": 0.9}]
    needs = needs_in_message("debt_rent", "lang verhaal", [], found)
    assert needs == ["debt_rent", "debt_bailiff", "debt_bills", "debt_benefits"]


def test_the_word_list_still_adds_a_problem_of_another_theme():
    needs = needs_in_message("debt_bills", "ik heb schulden en de buren maken herrie",
                             [{"name": "debt_bills"}, {"name": "nuisance_noise"}], [])
    assert needs == ["debt_bills", "nuisance_noise"]


def test_a_message_without_a_need_has_none():
    assert needs_in_message("greet", "hoi", [], []) == []
    assert needs_in_message(None, "hoi", [], [{"intent": "affirm", "confidence": 0.9}]) == []


def test_needs_of_a_new_message_go_before_those_still_waiting():
    assert merge_open(["care_mental", "debt_food"], ["nuisance_noise", "care_mental"]) == [
        "debt_food", "care_mental", "nuisance_noise"]


def test_what_is_said_back():
    assert heard(["debt_bills"], "schulden") == []
    two = heard(["debt_food", "care_mental"], "geen eten en stress")
    assert len(two) == 1 and "twee dingen" in two[0].text and "eten" in two[0].text
    many = heard(["debt_food", "debt_rent", "care_mental"], "...")
    assert len(many) == 1 and "/ask_human" in [b["payload"] for b in many[0].buttons]
    assert all(word in many[0].text for word in ("eten", "huur", "stress"))


def test_a_long_story_is_three_needs_or_a_long_text_with_two():
    assert is_long_story("kort", ["debt_food", "debt_rent", "care_mental"])
    assert is_long_story("x" * 500, ["debt_food", "care_mental"])
    assert not is_long_story("x" * 500, ["debt_food"])
    assert not is_long_story("geen eten en stress", ["debt_food", "care_mental"])
