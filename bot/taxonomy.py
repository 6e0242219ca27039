"""The vocabulary: intent names and their themes (read from the packaged taxonomy.yml), the
crisis intents, the themes with a service behind them, and the Dutch label of every theme and
intent that workers and managers see. Define these here only; a test fails on a second copy.

bot/taxonomy.yml is a verbatim copy of shared/taxonomy.yml (a test keeps them equal).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


from bot.yamlfile import read_yaml

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yml")

# Intents that exist only inside the assistant (button payloads, Rasa's fallback) and the
# contract intent each one reports as.
SUB_INTENTS = {
    "choose_theme": "out_of_scope",
    "inform_location": "out_of_scope",
    "report_waiting_list": "out_of_scope",  # "daar is een wachtlijst" after a service was named
    "report_not_helped": "out_of_scope",  # "dat heb ik al geprobeerd", "dat helpt niet"
    "unsure": "out_of_scope",  # "misschien", "weet ik niet": read against the question asked last
    "ask_clarify": "out_of_scope",
    "ask_details": "out_of_scope",  # "wat is het adres?" after a service was named  # "wat bedoel je?", "dit is te moeilijk", "en nu?"
    "distrust": "out_of_scope",  # "jullie helpen toch nooit"
    "shame": "out_of_scope",  # "ik schaam me om hulp te vragen"
    "worry_benefit": "privacy_question",  # "pakken jullie mn uitkering af?"
    "worry_children": "privacy_question",  # "ik wil niet dat ze mijn kinderen afpakken"
    "nlu_fallback": "out_of_scope",
}

CRISIS_INTENTS = ("crisis_suicide", "crisis_violence", "crisis_emergency")
NEED_THEMES = ("schulden", "zorg", "overlast")  # themes with a service behind them

# Dutch labels for the console and the dashboard. Resident-facing wording lives in domain.yml.
THEME_LABELS = {"schulden": "Geldzorgen", "zorg": "Zorg", "overlast": "Overlast", "crisis": "Crisis",
                "gesprek": "Gesprek"}
INTENT_LABELS = {
    "debt_bills": "rekeningen en schulden", "debt_bailiff": "deurwaarder en beslag", "debt_rent": "huurschuld",
    "debt_energy": "energie en water", "debt_benefits": "inkomen en toeslagen", "debt_food": "eten en voedselbank",
    "care_home_support": "hulp thuis (Wmo)", "care_caregiver": "mantelzorg", "care_loneliness": "eenzaamheid",
    "care_mental": "psychische klachten", "care_youth": "opvoeding en jeugd", "nuisance_noise": "geluidsoverlast",
    "nuisance_neighbours": "ruzie met buren", "nuisance_youth": "overlast van jongeren",
    "nuisance_waste": "afval en vervuiling", "nuisance_drugs": "drugsoverlast", "crisis_suicide": "suïcide",
    "crisis_violence": "geweld", "crisis_emergency": "acuut gevaar", "greet": "groet", "goodbye": "afscheid",
    "thank": "bedankt", "affirm": "ja", "deny": "nee", "ask_human": "vraagt een medewerker",
    "bot_challenge": "vraagt of dit een robot is", "privacy_question": "vraag over privacy",
    "out_of_scope": "valt erbuiten",
}


@cache
def _data() -> dict:
    return read_yaml(TAXONOMY_PATH)


def themes() -> tuple[str, ...]:
    """Every theme, in the taxonomy's order (schulden, zorg, overlast, crisis, gesprek)."""
    return tuple(_data()["themes"])


@cache
def themes_by_intent() -> dict[str, str]:
    return {name: spec["theme"] for name, spec in _data()["intents"].items()}


def contract_intent(intent: str) -> str:
    """The contract name for any intent the model may predict."""
    return SUB_INTENTS.get(intent, intent)


def theme_of(intent: str) -> str:
    return themes_by_intent()[contract_intent(intent)]


def theme_label(theme: str | None) -> str:
    """A theme as workers and managers read it ("Geldzorgen"); no theme is "Gesprek"."""
    return THEME_LABELS.get(theme or "gesprek", "Gesprek")


def intent_label(intent: str | None) -> str:
    """A need in the words a worker uses ("huurschuld"), never the intent code; a sub-intent
    reads as its contract intent."""
    if not intent:
        return "onbekend"
    return INTENT_LABELS.get(intent) or INTENT_LABELS.get(contract_intent(intent)) or "overige vraag"
