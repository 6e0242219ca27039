"""Residents who do not write Dutch (issue 11.2): the language of a message and the fixed answer."""

from __future__ import annotations

import re

import pytest

from bot.directory import default_directory
from bot.language import ANSWERED, detect_language, language_reply, services_speaking
from bot.yamlfile import read_yaml
from tests.nlu_data import ROOT, crisis_language_sets, examples

SHORT = read_yaml(ROOT / "tests" / "nlu" / "languages" / "short_messages.yml")
TURKISH = re.compile("[ğşıç]")  # a few messages in tests/nlu/ are Turkish, as residents write them
# The Dutch held-out files (holdout_residents.yml also holds pure English residents' messages).
DUTCH_FILES = ["holdout_blind.yml", "holdout_crisis.yml", "holdout_overlast_gesprek.yml", "holdout_schulden_zorg.yml"]
DUTCH = [t for texts in examples([ROOT / "tests" / "nlu" / f for f in DUTCH_FILES]).values()
         for t in texts if not TURKISH.search(t)]


def test_dutch_stays_dutch():
    wrong = [t for t in DUTCH if detect_language(t) != "nl"]
    assert len(DUTCH) > 500
    assert len(wrong) <= len(DUTCH) * 0.005, wrong


@pytest.mark.parametrize("text", SHORT["nl_mixed"])
def test_dutch_with_a_few_english_words_stays_dutch(text):
    assert detect_language(text) == "nl"


@pytest.mark.parametrize("language", ANSWERED)
def test_other_languages_are_recognised_on_short_messages(language):
    texts = SHORT[language] + [t for name, pairs in crisis_language_sets().items()
                               if name.split("_")[0] == language for _, t in pairs]
    right = sum(detect_language(t) == language for t in texts)
    assert right / len(texts) >= 0.9, [t for t in texts if detect_language(t) != language]


@pytest.mark.parametrize("text", ["", "   ", "123", "😀", "?", "ok", "hello", "/ask_human",
                                  '/inform_location{"wijk": "Zuidwijk Oost Noord"}', "/start please help me now"])
def test_too_little_to_tell_is_dutch(text):
    assert detect_language(text) == "nl"


@pytest.mark.parametrize("language", ANSWERED)
def test_answer_says_what_a_resident_needs_in_their_language(language):
    directory = default_directory()
    reply = language_reply(language, directory)
    for number in ("112", "113", "0800-2000"):
        assert number in reply.text
    assert [b["payload"] for b in reply.buttons] == ["/ask_human"]
    intro, services_line = reply.text.split("\n\n")
    speaking = [s for s in directory.services if language in s.languages]
    named = [s for s in directory.services if s.name in services_line]
    assert set(s.id for s in named) <= set(s.id for s in speaking)
    assert bool(named) == bool(speaking)
    assert all(len(sentence.split()) <= 15 for sentence in re.split(r"(?<=[.?!])\s+", intro))


def test_services_are_those_of_the_directory_that_speak_the_language():
    directory = default_directory()
    english = services_speaking(directory, "en")
    assert english and all(
        any(s.name in line and "en" in s.languages for s in directory.services) for line in english
    )
    assert services_speaking(directory, "xx") == []
