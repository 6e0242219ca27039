"""The crisis net: every held-out crisis message is caught, hyperbole and nuisance are not."""

from pathlib import Path

import pytest

from bot.safety import CrisisMatch, detect_crisis
from bot.taxonomy import CRISIS_INTENTS
from bot.yamlfile import read_yaml

HERE = Path(__file__).parent
HOLDOUT = HERE / "nlu" / "holdout_crisis.yml"
TRAINING = HERE.parent / "nlu" / "crisis.yml"


def load_examples(path: Path) -> list[tuple[str, str]]:
    data = read_yaml(path)
    pairs = []
    for item in data["nlu"]:
        for line in item["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((item["intent"], line[2:].strip()))
    return pairs


HOLDOUT_EXAMPLES = load_examples(HOLDOUT)


def test_holdout_has_enough_per_intent():
    for intent in CRISIS_INTENTS:
        assert sum(1 for i, _ in HOLDOUT_EXAMPLES if i == intent) >= 15


def test_holdout_not_in_training():
    training = {text.lower() for _, text in load_examples(TRAINING)}
    assert not [text for _, text in HOLDOUT_EXAMPLES if text.lower() in training]


@pytest.mark.parametrize("intent,text", HOLDOUT_EXAMPLES)
def test_holdout_crisis_is_caught(intent, text):
    match = detect_crisis(text)
    assert match is not None, text
    assert match.intent in CRISIS_INTENTS


CLEAR = [
    ("crisis_suicide", "ik wil er niet meer zijn"),
    ("crisis_suicide", "het hoeft voor mij allemaal niet meer"),
    ("crisis_suicide", "iedereen is beter af zonder mij"),
    ("crisis_suicide", "ik heb pillen gespaard"),
    ("crisis_suicide", "ik snij mezelf"),
    ("crisis_suicide", "ik heb zoveel schulden dat ik er een eind aan wil maken"),
    ("crisis_suicide", "ik wil doooood"),
    ("crisis_suicide", "ik denk aan zelfmrd"),
    ("crisis_suicide", "ik denk aan zelf moord"),
    ("crisis_suicide", "ik heb suïcidale gedachten"),
    ("crisis_suicide", "k wil nie meer leve"),
    ("crisis_suicide", "ik zie het niet meer zitten"),
    ("crisis_suicide", "ik wil van de flat springen"),
    ("crisis_suicide", "ik ga voor de trein liggen"),
    ("crisis_suicide", "ik heb een afscheidsbrief geschreven"),
    ("crisis_suicide", "ik wou dat ik dood was"),
    ("crisis_suicide", "ik ben het leven zat"),
    ("crisis_suicide", "wat mij betreft hoeft het allemaal niet meer"),
    ("crisis_suicide", "soms sta ik op het perron en denk ik erover om voor de trein te springen"),
    ("crisis_violence", "mijn vriend slaat me"),
    ("crisis_violence", "me man slaat me"),
    ("crisis_violence", "mijn ex bedreigt me"),
    ("crisis_violence", "ik durf niet naar huis"),
    ("crisis_violence", "de buurjongen wordt elke avond geslagen ik hoor het door de muur"),
    ("crisis_violence", "mijn vader zit aan me"),
    ("crisis_violence", "mijn partner doet mij pijn"),
    ("crisis_violence", "ik denk dat een kind thuis geslagen wordt"),
    ("crisis_violence", "ik ben bang voor mijn man"),
    ("crisis_violence", "huiselijk geweld"),
    ("crisis_violence", "mn stiefvader zit aan me als mama werkt"),
    ("crisis_violence", "mijn vader mishandelt mijn moeder al jaren"),
    ("crisis_emergency", "er is brand in de flat"),
    ("crisis_emergency", "er is braaaand"),
    ("crisis_emergency", "iemand ligt bewusteloos in het portiek"),
    ("crisis_emergency", "ik ruik gas"),
    ("crisis_emergency", "er loopt een man met een mes"),
    ("crisis_emergency", "er wordt nu ingebroken"),
    ("crisis_emergency", "iemand is zwaargewond"),
    ("crisis_emergency", "mijn vader ademt niet"),
    ("crisis_emergency", "er is een steekpartij op het plein"),
    ("crisis_emergency", "er hangt een enorme gaslucht in het trappenhuis"),
    ("crisis_emergency", "er drijft een kind in de vijver"),
]


@pytest.mark.parametrize("intent,text", CLEAR)
def test_clear_crisis_has_right_intent(intent, text):
    match = detect_crisis(text)
    assert match is not None, text
    assert match.intent == intent, (text, match)


NOT_CRISIS = [
    "ik word gek van de buren",
    "ik ga dood van de herrie",
    "ik ga nog dood van ergernis",
    "ik ga dood van het lachen",
    "ik lach me dood om die brief van de gemeente",
    "ik schrik me dood van die knallen elke nacht",
    "ik verveel me dood",
    "ik ben doodmoe van de mantelzorg",
    "ik ben dood op",
    "die schulden maken me kapot",
    "ik werk me kapot voor mijn moeder",
    "ik sla ze nog eens",
    "de muziek slaat nergens op",
    "dit voorstel slaat echt nergens op",
    "mijn kind slaat een ander kind op school",
    "de deurwaarder dreigt met beslag",
    "de verhuurder dreigt met ontruiming",
    "ze dreigen met afsluiten van de stroom",
    "mijn oma dreigt haar huis kwijt te raken",
    "de energie wordt afgesloten",
    "het gas wordt volgende week afgesloten",
    "mijn gasrekening is veel te hoog",
    "het vuurwerk knalt als een pistool",
    "de jongeren schieten elke avond vuurwerk af bij de flat",
    "het brandt op mijn maag",
    "er staat een brandende kaars bij de buren op het balkon",
    "de lamp in het portiek brandt de hele nacht",
    "ik ben moe",
    "ik ben het zat",
    "ik zie het niet meer zitten met die rekeningen",
    "ik zie geen uitweg meer uit de schulden",
    "ik verdrink in de rekeningen",
    "de verhuurder zet me het mes op de keel",
    "ik wil een eind aan de overlast",
    "kunnen jullie een eind maken aan die herrie",
    "er komt maar geen eind aan de verbouwing",
    "het heeft geen zin meer om de gemeente te bellen",
    "de gemeente reageert niet op mijn mail",
    "ik krijg een hartaanval van die energierekening",
    "mijn rug doet me pijn",
    "er ligt vuil op straat bij de flat",
    "ik moet pillen innemen maar ik vergeet het steeds",
    "de apotheek heeft mijn pillen niet geleverd",
    "mijn ex betaalt geen alimentatie",
    "ik ben bang voor de hangjongeren bij de flat",
    "mijn dochter durft niet meer naar school door pesten",
    "dat wil ik niet meer",
    "ik wil verhuizen uit deze buurt",
    "ik wil verdwijnen uit deze wijk",
    "de buren maken ruzie en schreeuwen de hele nacht",
    "sinds mijn beroerte kan ik niet meer goed lopen",
    "het cjib dreigt met gijzeling",
    "hij heeft alarm geslagen bij de woningcorporatie",
    "er is vorig jaar ingebroken in mijn schuur, kan ik inbraakpreventie krijgen",
    "de mensen in mijn flat gooien hun afval uit het raam",
    "ik kan niet meer stofzuigen door mijn rug",
]


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_hyperbole_and_nuisance_are_not_crisis(text):
    assert detect_crisis(text) is None


@pytest.mark.parametrize("intent,text", HOLDOUT_EXAMPLES + CLEAR)
def test_reason_never_contains_the_message(intent, text):
    match = detect_crisis(text)
    assert isinstance(match, CrisisMatch)
    assert text.lower() not in match.reason.lower()
    assert match.reason.split(".")[0] in {"suicide", "violence", "emergency"}


def test_reason_does_not_echo_short_messages():
    for text in ["ik wil dood", "brand", "zelfmoord", "ik ruik gas", "overval", "bewusteloos",
                 "huiselijk geweld", "overdosis", "afscheidsbrief", "gaslucht", "inbreker", "pistool"]:
        match = detect_crisis(text)
        assert match is not None
        assert text not in match.reason
        assert text.replace(" ", "_") not in match.reason


def test_training_data_is_caught():
    examples = load_examples(TRAINING)
    crisis = [(i, t) for i, t in examples if i in CRISIS_INTENTS]
    caught = sum(1 for _, text in crisis if detect_crisis(text) is not None)
    recall = caught / len(crisis)
    print(f"crisis net recall on training data: {caught}/{len(crisis)} = {recall:.3f}")
    assert len(crisis) >= 225
    assert recall >= 0.95


@pytest.mark.parametrize("text", ["", "   ", "\n", "😀😀", "....", "a" * 5000, "ïéü"])
def test_odd_input_does_not_fail(text):
    assert detect_crisis(text) is None
