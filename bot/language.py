"""Which language a resident writes, and the short fixed answer for those who do not write Dutch.

The assistant understands Dutch only. A message in English, Turkish, Arabic, Polish or
Ukrainian gets a short text in that language (wording in domain.yml, conditional variants on
the `language` slot): what the assistant is, that it writes simple Dutch, the crisis lines,
how to reach a person and which services in the directory speak the language.

Detection, chosen by measurement (docs/benchmarks.md, bench/language.py): Arabic script is
Arabic and Cyrillic is answered in Ukrainian (the only Cyrillic text we have); a message with a
word only Dutch uses ("ik", "mijn", "niet", ...) stays Dutch, whatever English words it also
has, and so do a one-word message in Latin letters ("hello": too short to tell) and a
two-word one with "ja", "ok" and the like; otherwise py3langid, restricted to ten languages, must be at least 70% sure before a
message counts as not Dutch. German, French and Spanish get the English text.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from bot.directory import Directory
from bot.responses import Response, response_in

ANSWERED = ("en", "tr", "ar", "pl", "uk")
CANDIDATES = ["nl", "en", "tr", "ar", "pl", "uk", "de", "fr", "es", "ru"]
ANSWER_IN = {"de": "en", "fr": "en", "es": "en", "ru": "uk"}
log = logging.getLogger(__name__)
MIN_PROBABILITY = 0.7
MIN_WORDS = 2  # "hello", "merhaba": too short to tell; the next message will say more
MAX_SERVICES = 4

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# Words that only Dutch uses among the languages above (not "de", "en", "te", "ja", "je", "kan", "nie").
_DUTCH = re.compile(
    r"\b(?:ik|mijn|mn|niet|het|een|wat|heb|hebt|heeft|hebben|wil|wilt|graag|jullie|mij|geen|ook|"
    r"maar|nog|hoe|waar|wanneer|waarom|gemeente|bedankt|dank|dankjewel|hallo|hoi|doei|goedemorgen|"
    r"goedemiddag|nee|oke|jij|wij|zijn|naar|bij|uit|deze|moet|zou|kunnen|kun|mag|van|voor|heel|"
    r"iemand|niks|niets|alles|buren|medewerker)\b"
)

# Two-word answers Dutch residents give that other languages share a word with ("ja ok").
_SHORT_DUTCH = re.compile(r"\b(?:ja|ok|oke|okay|top|prima|super|thanks|thx|hoi|help)\b")


@cache
def load_model():
    """py3langid's model (about 2 s and 120 MB, once per process); the gateway loads it at start."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:  # an environment set up before requirements/app.lock had it
        log.warning("py3langid is not installed: every message is taken as Dutch")
        return None
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier


def detect_language(text: str) -> str:
    """"nl", or the language to answer in: one of ANSWERED."""
    if text.lstrip().startswith("/"):
        return "nl"  # a button payload or a command, for the assistant to read as it is
    if _ARABIC.search(text):
        return "ar"
    if _CYRILLIC.search(text):
        return "uk"
    lowered = text.lower()
    words = lowered.split()
    if _DUTCH.search(lowered) or len(words) < MIN_WORDS or (len(words) == 2 and _SHORT_DUTCH.search(lowered)):
        return "nl"
    identifier = load_model()
    if identifier is None:
        return "nl"
    language, probability = identifier.classify(lowered)
    language = ANSWER_IN.get(language, language)
    if language in ANSWERED and probability >= MIN_PROBABILITY:
        return language
    return "nl"


def services_speaking(directory: Directory, language: str) -> list[str]:
    """"Name (phone)" of the directory's services that speak this language, best ranked first."""
    speaking = sorted((s for s in directory.services if language in s.languages), key=lambda s: s.rank)
    return [f"{s.name} ({s.phones[0]})" if s.phones else s.name for s in speaking[:MAX_SERVICES]]


def language_reply(language: str, directory: Directory) -> Response:
    """The fixed answer for a resident who writes in `language` (one of ANSWERED)."""
    intro = response_in("utter_gateway_language_intro", language)
    if intro is None:
        raise ValueError(f"no text in domain.yml for language {language!r}")
    services = services_speaking(directory, language)
    if services:
        line = response_in("utter_gateway_language_services", language)
        tail = line.text.format(services=", ".join(services)) if line else ""
    else:
        line = response_in("utter_gateway_language_no_services", language)
        tail = line.text if line else ""
    return Response(text=f"{intro.text}\n\n{tail}".strip(), buttons=intro.buttons)
