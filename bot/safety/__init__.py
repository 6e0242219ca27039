"""The crisis net: recognise suicide, violence and acute emergencies without any model.

Runs before the Rasa model on every message. Needs no model, so it works when the model is
down or not trained. Recall on real crisis wording comes first (a miss can cost a life);
common hyperbole about noise, debt and care ("ik ga dood van de herrie", "die schulden maken
me kapot", "vuurwerk knalt als een pistool") is kept out on purpose.

How it works: the message is normalised (bot/safety/normalise.py) and checked against the
lexicon of each language (bot/safety/lexicon/*.yml, one rule per kind of saying, one
pattern per line). The first rule that matches decides the intent; its id is the reason.
The reason never contains the resident's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety.normalise import variants
from bot.safety.rules import Rule, lexicons

__all__ = ["CrisisMatch", "detect_crisis", "normalise", "rule_matches"]


@dataclass(frozen=True)
class CrisisMatch:
    intent: str  # "crisis_suicide" | "crisis_violence" | "crisis_emergency"
    reason: str  # id of the rule that matched, e.g. "suicide.wil_dood"


def normalise(text: str) -> list[str]:
    """The normalised variants of a message as the Dutch lexicon reads them."""
    return variants(text, lexicons()[0].rewrites)


def detect_crisis(text: str) -> CrisisMatch | None:
    """The crisis intent this message signals, or None. Never fails on odd input."""
    if not text or not text.strip():
        return None
    for lexicon in lexicons():
        for variant in variants(text, lexicon.rewrites):
            for rule in lexicon.rules:
                if rule_matches(rule, variant):
                    return CrisisMatch(intent=rule.intent, reason=rule.id)
    return None


def rule_matches(rule: Rule, text: str) -> bool:
    """Whether one rule fires on one normalised text.

    A context in `unless` cancels the rule only when no match is left in a sentence without
    it (e.g. "vuurwerk" around a real "mes" in another sentence).
    """
    if not rule.pattern.search(text):
        return False
    unless = rule.unless_pattern
    if unless is None or not unless.search(text):
        return True
    return _match_outside(rule.pattern, unless, text)


def _match_outside(pattern: re.Pattern[str], unless: re.Pattern[str], text: str) -> bool:
    for sentence in text.split(" . "):
        if pattern.search(sentence) and not unless.search(sentence):
            return True
    return False
