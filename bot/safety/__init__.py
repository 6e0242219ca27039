"""The crisis net: recognise suicide, violence and acute emergencies without any model.

Runs before the Rasa model on every message. Needs no model, so it works when the model is
down or not trained. Recall on real crisis wording comes first (a miss can cost a life);
common hyperbole about noise, debt and care ("ik ga dood van de herrie", "die schulden maken
me kapot", "vuurwerk knalt als een pistool") is kept out on purpose.

How it works: the message is normalised (bot/safety/normalise.py) and read by the lexicon of
each language (bot/safety/lexicon/*.yml: Dutch, English, Turkish, Arabic, Polish,
Ukrainian), one rule per way of saying it. Dutch goes first; within a language the first
rule that matches decides the intent, and its id is the reason (never the resident's text).
The match also carries what the answer needs (bot/safety/reply.py): the language to add a
line in, whether 112 leads, and whether the violence happens to the writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety.rules import Lexicon, Rule, lexicons

__all__ = ["CrisisMatch", "detect_crisis", "normalise", "rule_matches"]


@dataclass(frozen=True)
class CrisisMatch:
    intent: str  # "crisis_suicide" | "crisis_violence" | "crisis_emergency"
    reason: str  # id of the rule that matched, e.g. "suicide.wil_dood"
    language: str = "nl"  # the resident's language when a non-Dutch rule matched too
    urgent: bool = False  # 112 leads: an emergency, a weapon, fire, someone at the door, now
    about_self: bool = True  # the violence happens to the writer (not told about someone else)

    @property
    def kind(self) -> str:
        return self.intent.removeprefix("crisis_")


def normalise(text: str) -> list[str]:
    """The normalised variants of a message as the Dutch lexicon reads it."""
    return lexicons()[0].forms(text)


def detect_crisis(text: str) -> CrisisMatch | None:
    """The crisis this message signals, or None. Never fails on odd input."""
    if not text or not text.strip():
        return None
    found: list[tuple[Lexicon, list[str], Rule]] = []
    for lexicon in lexicons():
        forms = lexicon.forms(text)
        rule = _first_rule(lexicon, forms)
        if rule is not None:
            found.append((lexicon, forms, rule))
    if not found:
        return None
    rule = found[0][2]
    language = next((lx.language for lx, _, _ in found if lx.language != "nl"), "nl")
    cues = [cue for lexicon in lexicons() for cue in lexicon.cues if rule.kind in cue.applies_to]
    forms_by_language = {lexicon.language: lexicon.forms(text) for lexicon in lexicons() if lexicon.cues}

    def cue_fires(prefix: str) -> bool:
        return any(
            cue.kind == prefix and any(rule_matches(cue, form) for form in forms_by_language[cue.language])
            for cue in cues
        )

    return CrisisMatch(
        intent=rule.intent,
        reason=rule.id,
        language=language,
        urgent=rule.kind == "emergency" or cue_fires("urgent"),
        about_self=rule.kind != "violence" or not cue_fires("other"),
    )


def _first_rule(lexicon: Lexicon, forms: list[str]) -> Rule | None:
    if not any(lexicon.any_rule.search(form) for form in forms):
        return None
    for form in forms:
        for rule in lexicon.rules:
            if rule_matches(rule, form):
                return rule
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
