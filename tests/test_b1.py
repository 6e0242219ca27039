"""B1 check on every text a resident reads: domain.yml responses (also the gateway's own
messages, which live there), the directory's descriptions, and the routing answers built from
both. Rules: no sentence over 15 words; Flesch-Douma (textstat, lang nl) at least MIN_SCORE per
text and MEAN_SCORE on average; "je", not "u"; no officialese without an explanation.

Flesch-Douma = 206.835 - 0.93 * words per sentence - 77 * syllables per word. Scores above 60
read as easy; B1 texts for a wide public land around 70-90. Fragments under MIN_WORDS words
(button titles, topic names) are too short for a fair score and are checked for words only.
"""

from __future__ import annotations

import re
import statistics

import pytest
import textstat

from actions.routing import elsewhere_answer, route_answer
from bot.directory import DEFAULT_PATH, load_directory, route
from bot.taxonomy import themes_by_intent
from bot.yamlfile import read_yaml
from tests.nlu_data import ROOT

MAX_WORDS_PER_SENTENCE = 15
MIN_SCORE = 50.0
MEAN_SCORE = 70.0
MIN_WORDS = 8

# Words residents should not meet without an explanation. Allowed only when the same text
# explains them: "word (uitleg)" or "... dat betekent ...".
AVOID = (
    "voorziening", "voorzieningen", "indicatie", "beschikking", "maatwerk", "maatwerkvoorziening",
    "zorgvrager", "cliënt", "doelgroep", "traject", "intake", "casus", "ondersteuningsvraag",
    "eigen bijdrage", "bewindvoering", "schuldsanering", "minnelijk", "wsnp", "beslagvrije voet",
    "derhalve", "alsmede", "indien", "teneinde", "middels", "dienaangaande", "conform",
)
FORMAL = ("u", "uw", "kunt u", "heeft u")

# Sample values for {placeholders} in domain.yml, close to what the actions fill in.
SAMPLES = {
    "service": "Buurtteam", "phone": "0123-456 700", "address": "Kerkstraat 10, 1011 CD Voorbeeldstad",
    "hours": "ma t/m vr 9:00 tot 17:00", "closes": "17:00", "next_opening": "morgen om 9:00",
    "holiday": "Koningsdag", "wijken": "Centrum, Noord en Zuidwijk", "wijk": "Noord",
    "first": "je rekeningen", "second": "lawaai", "second_intent": "nuisance_noise",
}

DIRECTORY = load_directory(DEFAULT_PATH)


def fill(text: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: SAMPLES.get(m.group(1), "drie"), text)


def resident_texts() -> list[tuple[str, str]]:
    domain = read_yaml(ROOT / "domain.yml")
    texts: list[tuple[str, str]] = []
    for name, variants in domain["responses"].items():
        for index, variant in enumerate(variants):
            if any(c.get("name") == "language" for c in variant.get("condition") or []):
                continue  # a line in another language (tests/test_safety_languages.py checks those)
            if variant.get("text"):
                texts.append((f"domain.yml {name}[{index}]", fill(variant["text"])))
            for button in variant.get("buttons") or []:
                texts.append((f"domain.yml {name}[{index}] button", fill(button["title"])))
    for service in DIRECTORY.services:
        for field in ("description", "eligibility", "phone_note"):
            if getattr(service, field):
                texts.append((f"services.yml {service.id}.{field}", getattr(service, field)))
    needs = [i for i, t in themes_by_intent().items() if t in ("schulden", "zorg", "overlast")]
    for intent in needs:
        for wijk in [None, *DIRECTORY.wijk_names()]:
            texts.append((f"route answer {intent}/{wijk}", route_answer(DIRECTORY, route(DIRECTORY, intent, wijk)).text))
        texts.append((f"elsewhere answer {intent}", elsewhere_answer(DIRECTORY, intent, "Utrecht")))
    return texts


TEXTS = resident_texts()


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if p.strip()]


def words(sentence: str) -> list[str]:
    # A phone number or time counts as one word; so does a postcode.
    return re.findall(r"[0-9][0-9 :-]*[0-9]|[\wÀ-ÿ'/-]+", sentence)


def score(text: str) -> float:
    textstat.set_lang("nl")
    # Phone numbers, times and web addresses are read as names, not as words to understand.
    plain = re.sub(r"(https?://|www\.)\S+", "site", text)
    plain = re.sub(r"[0-9][0-9 :-]*[0-9]", "nummer", plain)
    return textstat.flesch_reading_ease(plain)


@pytest.mark.parametrize("where, text", TEXTS, ids=[w for w, _ in TEXTS])
def test_no_sentence_over_15_words(where, text):
    long = [s for s in sentences(text) if len(words(s)) > MAX_WORDS_PER_SENTENCE]
    assert not long, f"{where}: {long}"


def test_readability_per_text_and_on_average():
    scored = [(score(text), where, text) for where, text in TEXTS if len(words(text)) >= MIN_WORDS]
    low = [(round(s, 1), where) for s, where, _ in scored if s < MIN_SCORE]
    assert not low, f"Flesch-Douma below {MIN_SCORE}: {low}"
    mean = statistics.mean(s for s, _, _ in scored)
    assert mean >= MEAN_SCORE, mean


@pytest.mark.parametrize("where, text", TEXTS, ids=[w for w, _ in TEXTS])
def test_no_officialese_without_explanation_and_no_formal_u(where, text):
    lowered = text.lower()
    for word in AVOID:
        if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", lowered):
            explained = re.search(rf"{re.escape(word)}\s*\(", lowered) or "dat betekent" in lowered
            assert explained, f"{where}: '{word}' without an explanation"
    for word in FORMAL:
        assert not re.search(rf"(?<![\w]){word}(?![\w])", lowered), f"{where}: formal '{word}' (use je)"


def topic_lines() -> list[tuple[str, str]]:
    """Every response that names a need ({topic}, {first}, {second}), filled in with every need's
    short name as the actions give it ("hulp thuis", "je huur", ...)."""
    domain = read_yaml(ROOT / "domain.yml")
    topics = {intent: domain["responses"][f"utter_topic_{intent}"][0]["text"]
              for intent, theme in themes_by_intent().items() if theme in ("schulden", "zorg", "overlast")}
    names = list(topics.items())
    lines = []
    for name, variants in domain["responses"].items():
        text = variants[0].get("text") or ""
        if re.search(r"\{(topic|first|second)\}", text):
            for (intent, short), (_, other) in zip(names, names[1:] + names[:1]):
                for first, second in ((short, other), (other, short)):  # each need in each place
                    filled = text.replace("{topic}", short).replace("{first}", first).replace("{second}", second)
                    lines.append((f"{name} / {intent} / {'first' if first == short else 'second'}", fill(filled)))
    return lines


@pytest.mark.parametrize("where, text", topic_lines(), ids=[w for w, _ in topic_lines()])
def test_a_need_named_in_a_sentence_does_not_repeat_its_words(where, text):
    """"Ook voor hulp thuis is hulp." reads as a mistake: the template's own words must not
    say again what a need's short name already says."""
    for sentence in sentences(text):
        long_words = [w.lower() for w in words(sentence) if len(w) >= 4]
        repeated = {w for w in long_words if long_words.count(w) > 1}
        assert not repeated, f"{where}: {sentence!r} says {sorted(repeated)} twice"


def test_the_checks_catch_bad_text():
    bad = ("Indien u een maatwerkvoorziening wenst dient u derhalve middels het daartoe bestemde "
           "aanvraagformulier een beschikking aan te vragen bij de gemeentelijke organisatie.")
    assert len(words(sentences(bad)[0])) > MAX_WORDS_PER_SENTENCE
    assert score(bad) < MIN_SCORE
    assert score("Je kunt ons bellen. We helpen je graag. Het is gratis.") > MEAN_SCORE
    assert any("hulp" in line for _, line in topic_lines())  # the need names are filled in
