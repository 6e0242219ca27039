"""The crisis net in the languages residents write (issue 11.1) and its precision (11.5).

Held-out sets: tests/nlu/crisis_languages/holdout_<language>.yml, written apart from the
lexicon. The answer must lead with the right line and carry one line in the resident's language.
"""

from __future__ import annotations

import re

import pytest

from bot.responses import response, response_in
from bot.safety import detect_crisis
from bot.safety.reply import crisis_reply, first_number
from bot.safety.rules import lexicons
from tests.nlu_data import crisis_language_sets, holdout

SETS = crisis_language_sets()
LANGUAGES = ("en", "tr", "ar", "pl", "uk")
EXPECTED_FIRST = {"crisis_suicide": "113", "crisis_violence": "veilig thuis", "crisis_emergency": "112"}
CRISIS = [(lang, i, t) for lang, pairs in SETS.items() for i, t in pairs if i != "not_crisis"]
CALM = [(lang, t) for lang, pairs in SETS.items() for i, t in pairs if i == "not_crisis"]
DUTCH_OPENINGS = {
    response(name).text
    for name in ("utter_crisis_suicide", "utter_crisis_violence", "utter_crisis_emergency",
                 "utter_gateway_crisis_112_first", "utter_gateway_crisis_violence_other")
}
LINES = {"112": r"\b112\b", "113": r"\b113\b|0800-0113", "veilig thuis": r"veilig thuis|0800-2000"}


def first_named(text: str) -> str | None:
    """The emergency line a reader meets first in a text."""
    found = [(m.start(), name) for name, pattern in LINES.items() for m in re.finditer(pattern, text.lower())]
    return min(found)[1] if found else None


def test_every_language_has_a_held_out_set_of_at_least_20():
    for language in (*LANGUAGES, "mixed"):
        pairs = [pair for name, pairs in SETS.items() if name.split("_")[0] == language for pair in pairs]
        assert len(pairs) >= 20, language
        assert any(i == "not_crisis" for i, _ in pairs), language


@pytest.mark.parametrize("language,label,text", CRISIS)
def test_held_out_crisis_is_caught_with_the_right_line_first(language, label, text):
    intent, _, lead = label.partition("+")  # "crisis_violence+112": a weapon, so 112 leads
    match = detect_crisis(text)
    assert match is not None, text
    assert match.intent == intent, (text, match)
    assert first_named(crisis_reply(match).text) == first_number(match) == (lead or EXPECTED_FIRST[intent]), text


@pytest.mark.parametrize("language,text", CALM)
def test_look_alikes_are_not_a_crisis(language, text):
    assert detect_crisis(text) is None, text


@pytest.mark.parametrize("language,text", [(c[0].split("_")[0], c[2]) for c in CRISIS if c[0].split("_")[0] in LANGUAGES])
def test_answer_carries_a_line_in_the_residents_language(language, text):
    match = detect_crisis(text)
    assert match.language == language, text
    line = response_in(f"utter_gateway_crisis_line_{match.kind}", language)
    reply = crisis_reply(match).text
    assert reply.split("\n\n")[0] in DUTCH_OPENINGS  # Dutch first, the resident's language after
    assert line is not None and line.text in reply


def test_dutch_crisis_stays_dutch():
    dutch = [t for i, texts in holdout().items() if i.startswith("crisis_") for t in texts]
    assert [t for t in dutch if detect_crisis(t).language != "nl"] == []


@pytest.mark.parametrize("text,first", [
    ("mn ex staat voor de deur met een mes help", "112"),
    ("mijn man slaat me nu, help", "112"),
    ("hij dreigt het huis in brand te steken", "112"),
    ("ik heb net al mijn pillen geslikt", "112"),
    ("my ex is outside my door with a knife", "112"),
    ("mijn vriend slaat me", "veilig thuis"),
    ("mijn ex bedreigt me al maanden", "veilig thuis"),
    ("ik wil niet meer leven", "113"),
    ("ik heb pillen gespaard", "113"),
    ("er is brand in de flat", "112"),
])
def test_112_leads_for_weapon_fire_door_and_now(text, first):
    match = detect_crisis(text)
    assert first_named(crisis_reply(match).text) == first, (text, match)


@pytest.mark.parametrize("text,to_writer", [
    ("mijn vriend slaat me", True),
    ("ik ben bang voor mijn man", True),
    ("mijn stiefvader zit aan me", True),
    ("mijn vader mishandelt mijn moeder al jaren", False),
    ("ik denk dat het kind van de buren geslagen wordt", False),
    ("de buurvrouw wordt geslagen door haar man", False),
    ("the neighbour beats his kids", False),
    ("my husband hits me", True),
])
def test_not_your_fault_only_to_the_person_it_happens_to(text, to_writer):
    reply = crisis_reply(detect_crisis(text)).text
    assert ("niet jouw schuld" in reply) is to_writer, text
    assert first_named(reply) == "veilig thuis"


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_lines_are_short_and_name_their_number(language):
    for kind, number in (("suicide", "113"), ("violence", "0800-2000"), ("emergency", "112")):
        line = response_in(f"utter_gateway_crisis_line_{kind}", language)
        assert line is not None, (language, kind)
        assert number in line.text
        assert len(line.text.split()) <= 25
        assert all(len(s.split()) <= 15 for s in re.split(r"(?<=[.?!])\s+", line.text))


def test_lexicon_examples_are_not_taken_from_the_held_out_sets():
    held = {t.lower() for pairs in SETS.values() for _, t in pairs}
    written = {t.lower() for lx in lexicons() for rule in lx.rules + lx.cues for t in rule.positive + rule.negative}
    assert held & written == set()
