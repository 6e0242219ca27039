"""The conversation checks themselves: each must catch what it is there to catch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conversations.checks import Turn, first_line_named, problems
from tests.conversations.test_conversations import load_cases


def turn(*texts: str, state: str = "bot", desk_open: bool = True, buttons=(), needs=()) -> Turn:
    messages = [{"text": t, "buttons": list(buttons)} for t in texts]
    return Turn("x", messages, state, desk_open, needs=list(needs))


def test_first_line_named_finds_the_earliest_emergency_line():
    assert first_line_named("Bel Veilig Thuis: 0800-2000. Direct gevaar? Bel 112.") == "veilig thuis"
    assert first_line_named("Bel 112 nu. Daarna Veilig Thuis.") == "112"
    assert first_line_named("Bel 0800-0113 of chat op 113.nl") == "113"
    assert first_line_named("Bel 0800-8115 voor geldzaken") is None


def test_a_turn_without_an_answer_fails_even_without_expectations():
    assert problems(turn(), {}) == ["the resident got no answer"]
    assert problems(turn("  "), {})
    assert problems(turn("Hoi"), {}) == []


def test_the_right_number_first():
    veilig_thuis_first = turn("Bel Veilig Thuis: 0800-2000. Is er nu gevaar? Bel 112.")
    assert problems(veilig_thuis_first, {"first_number": "112"})
    assert not problems(veilig_thuis_first, {"first_number": "veilig thuis"})


def test_no_promise_outside_desk_hours():
    promise = "Een medewerker van de gemeente leest ook mee. Je krijgt hier antwoord."
    assert problems(turn(promise, desk_open=False), {})
    assert not problems(turn(promise, desk_open=True), {})
    honest = "Er is nu geen medewerker. We zijn er weer morgen om 9:00. Bel 113 als het dringend is."
    assert not problems(turn(honest, desk_open=False), {})
    assert not problems(turn(promise, desk_open=False), {"no_promise": False})


def test_handover_state_buttons_and_needs():
    assert problems(turn("Ok", state="bot"), {"handover": True})
    assert not problems(turn("Ok", state="waiting_for_human"), {"handover": True})
    assert problems(turn("Ok", state="waiting_for_human"), {"handover": False})
    offered = turn("Kies", buttons=[{"title": "Ja, graag", "payload": "/ask_human"}])
    assert not problems(offered, {"buttons_any": ["ask_human"]})
    assert problems(offered, {"buttons_any": ["inform_location"]})
    assert problems(turn("Ok", needs=["debt_rent"]), {"needs": ["debt_rent", "debt_bailiff"]})
    assert problems(turn("Ok"), {"no_such_check": 1})


def test_mentions():
    reply = turn("Bel Geldfit: 0800-8115.")
    assert not problems(reply, {"mentions": ["geldfit", "0800-8115"], "not_mentions": "Voorbeeldstad"})
    assert problems(reply, {"mentions_any": ["schuldhulp", "wijkteam"]})
    assert problems(reply, {"not_mentions": ["geldfit"]})


def test_bad_files_are_refused(tmp_path: Path):
    (tmp_path / "a.yml").write_text("- name: x\n  turns: [{say: hoi, press: /x}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="one of say/press"):
        load_cases(tmp_path)
    (tmp_path / "a.yml").write_text("- {name: x, turns: [{say: a}]}\n- {name: x, turns: [{say: b}]}\n")
    with pytest.raises(ValueError, match="twice"):
        load_cases(tmp_path)
    (tmp_path / "a.yml").write_text("- {name: y, desk: always, turns: [{say: a}]}\n")
    with pytest.raises(ValueError, match="desk"):
        load_cases(tmp_path)


def test_every_conversation_file_loads_and_both_desks_double_a_case(tmp_path: Path):
    (tmp_path / "a.yml").write_text("- {name: y, turns: [{say: a}]}\n- {name: z, desk: open, turns: [{say: b}]}\n")
    assert [(c.name, c.desk) for c in load_cases(tmp_path)] == [("y", "open"), ("y", "closed"), ("z", "open")]
    assert load_cases()  # the real files load without errors


def test_max_words_catches_a_long_block():
    long_block = turn("Hier kun je terecht. " * 10, "Wil je dat een medewerker met je meekijkt?")
    assert problems(long_block, {"max_words": 30})
    assert not problems(turn("Bel 0123-456 700.", "Wil je het adres?"), {"max_words": 30})


def test_not_your_fault_is_checked_both_ways():
    to_victim = turn("Wat erg dat dit gebeurt. Het is niet jouw schuld. Bel Veilig Thuis: 0800-2000.")
    to_neighbour = turn("Goed dat je dit vertelt. Bel Veilig Thuis: 0800-2000.")
    assert problems(to_victim, {"not_your_fault": False})
    assert not problems(to_victim, {"not_your_fault": True})
    assert problems(to_neighbour, {"not_your_fault": True})
    assert not problems(to_neighbour, {"not_your_fault": False})


def test_in_language_finds_the_residents_language_and_keeps_dutch_dutch():
    english = turn("Bel nu gratis 113: 0800-0113.\n\nIn English: call 113 for free, day and night.")
    dutch = turn("Je hebt rekeningen die je niet kunt betalen. Er is hulp voor.")
    assert not problems(english, {"in_language": "en"})
    assert problems(english, {"in_language": "nl"})
    assert problems(english, {"in_language": "tr"})
    assert not problems(dutch, {"in_language": "nl"})
    assert problems(dutch, {"in_language": "en"})
