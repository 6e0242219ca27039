"""The intent contract: intent names and their themes, read from the packaged taxonomy.yml.

bot/taxonomy.yml is a verbatim copy of shared/taxonomy.yml (a test keeps them equal).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

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


@cache
def themes_by_intent() -> dict[str, str]:
    data = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    return {name: spec["theme"] for name, spec in data["intents"].items()}


def contract_intent(intent: str) -> str:
    """The contract name for any intent the model may predict."""
    return SUB_INTENTS.get(intent, intent)


def theme_of(intent: str) -> str:
    return themes_by_intent()[contract_intent(intent)]
