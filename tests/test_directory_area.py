"""Is a postcode or place in the municipality? (bot/directory/area.py, the demo directory)."""

from __future__ import annotations

import pytest

from bot.directory import DEFAULT_PATH, dutch_places, load_directory, place_elsewhere

DIRECTORY = load_directory(DEFAULT_PATH)


@pytest.mark.parametrize("text, expected", [
    ("3511", "3511"),
    ("3511 AB", "3511"),
    ("3511ab", "3511"),
    ("mijn postcode is 5611", "5611"),
    ("ik woon op 3011 xk", "3011"),
    ("ik woon in Utrecht", "Utrecht"),
    ("utrecht", "Utrecht"),
    ("mijn moeder woont in den haag", "Den Haag"),
    ("ik woon in rotterdam en de deurwaarder komt", "Rotterdam"),
])
def test_places_and_postcodes_outside_the_municipality(text, expected):
    assert place_elsewhere(DIRECTORY, text) == expected


@pytest.mark.parametrize("text", [
    "1034", "1034 AB", "ik woon in noord", "ze woont in de molenwijk", "ik woon in Voorbeeldstad",
    # Numbers that are not postcodes, and words that are not places.
    "ik heb 2000 euro schuld", "ik heb 1500 en nog meer", "in 2019 begon het", "ik woon in een flat",
    "de huur is 1200 per maand", "ik heb een hoorn gekocht",
])
def test_own_wijken_numbers_and_ordinary_words_are_not_elsewhere(text):
    assert place_elsewhere(DIRECTORY, text) is None


def test_every_wijk_postcode_is_inside():
    for wijk in DIRECTORY.wijken:
        for postcode in wijk.postcodes:
            assert place_elsewhere(DIRECTORY, postcode) is None, postcode


def test_the_place_list_is_clean():
    places = dutch_places()
    assert len(places) == len(set(places)) and all(p == p.lower().strip() for p in places)
