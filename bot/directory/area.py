"""Is a postcode or place the resident names inside the municipality of the directory?

The municipality is the union of its wijken's PC4 postcodes (directory/services.yml). Any other
PC4 postcode, or a Dutch place from places_nl.txt that is not the municipality itself, is
elsewhere: that resident cannot use the local services and needs what works everywhere.

A four-digit number is read as a postcode only where a resident would mean one ("3511",
"3511 AB", "postcode 3511", "ik woon op 3511"), never in "ik heb 2000 euro schuld".
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bot.directory.model import Directory

PLACES_PATH = Path(__file__).with_name("places_nl.txt")

# A PC4 postcode said as one: with its two letters, after "postcode"/"pc"/"woon op", or alone.
POSTCODE_WITH_LETTERS = re.compile(r"(?<!\d)([1-9]\d{3})\s?([a-z]{2})(?![a-z])")
# Two-letter words that follow a number in a sentence ("1500 en", "2000 is") are not postcode letters.
SMALL_WORDS = {"en", "in", "op", "is", "de", "te", "ik", "je", "ze", "we", "al", "of", "om", "na", "nu",
               "er", "ga", "zo", "ja", "eu", "pm", "am", "cm", "km", "kg", "uur"}
POSTCODE_AFTER_WORD = re.compile(r"(?:postcode|pc|woon op|woont op|wonen op)\D{0,12}?(?<!\d)([1-9]\d{3})(?!\d)")
POSTCODE_ALONE = re.compile(r"^\W*(?:het is\s+|mijn\s+)?([1-9]\d{3})\W*(?:\w+\W*)?$")
# Words before a place name that say someone lives or is there ("ik woon in utrecht").
PLACE_CONTEXT = r"(?:in|uit|te|bij|naar|gemeente|woon|woont|wonen|buurt van)"


@cache
def dutch_places() -> tuple[str, ...]:
    lines = PLACES_PATH.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def postcodes_in(text: str) -> list[str]:
    """PC4 postcodes the resident gave as a postcode (not amounts or years)."""
    lowered = (text or "").lower()
    found = [m.group(1) for m in POSTCODE_WITH_LETTERS.finditer(lowered) if m.group(2) not in SMALL_WORDS]
    found += [m.group(1) for m in POSTCODE_AFTER_WORD.finditer(lowered)]
    alone = POSTCODE_ALONE.match(lowered)
    if alone and not re.search(r"euro|€|jaar|keer", lowered):
        found.append(alone.group(1))
    return found


def _own_names(directory: Directory) -> set[str]:
    own = directory.municipality.lower().removeprefix("gemeente ").strip()
    names = {own}
    for wijk in directory.wijken:
        names.add(wijk.name.lower())
        names.update(alias.lower() for alias in wijk.aliases)
    return names


def place_elsewhere(directory: Directory, text: str) -> str | None:
    """The postcode or place named in the text when it lies outside the municipality."""
    for postcode in postcodes_in(text):
        if postcode not in directory._by_postcode:
            return postcode
    lowered = " ".join(re.findall(r"[a-zà-ÿ'-]+", (text or "").lower()))
    own = _own_names(directory)
    short = len(lowered.split()) <= 3
    for place in dutch_places():
        if place in own:
            continue
        name = re.escape(place)
        if re.search(rf"(?<![a-zà-ÿ]){PLACE_CONTEXT} {name}(?![a-zà-ÿ])", lowered) or (
                short and re.fullmatch(rf"(?:in |uit )?{name}", lowered)):
            return place.title() if not place.startswith("'") else place
    return None


def is_elsewhere(directory: Directory, text: str) -> bool:
    return place_elsewhere(directory, text) is not None
