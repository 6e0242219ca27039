"""What the assistant asked last, and how a short typed answer reads against it.

Every question the assistant asks sets the slot `expecting` to one of the values below; the
resident's next message is read against it, so a typed "ja graag" does what the "Ja, graag"
button does. Plain functions, no Rasa objects.
"""

from __future__ import annotations

import re

# Values of the slot `expecting` (domain.yml): the question asked last.
LOCATION = "location"  # "Waar woon je?"
SECOND_NEED = "second_need"  # "Je noemde ook ... Wil je daar nu hulp bij?"
HUMAN = "human"  # "Wil je dat een medewerker met je meekijkt?"
DETAILS = "details"  # "Wil je het adres en de openingstijden?"

YES, NO, UNSURE = "yes", "no", "unsure"

ANSWER_INTENTS = {"affirm": YES, "deny": NO, "unsure": UNSURE}

# Short answers in residents' words, for when the model files them under another intent.
# Checked in this order: "weet ik niet" is unsure before its "niet" reads as no.
ANSWER_WORDS = (
    (UNSURE, ("misschien", "weet niet", "weet ik niet", "weet het niet", "geen idee", "twijfel",
              "denk het", "zou kunnen", "kan zijn", "weetniet", "maybe", "mss", "wrs",
              "waarschijnlijk", "wie weet")),
    (NO, ("nee", "neen", "nope", "nah", "neuh", "liever niet", "hoeft niet", "niet nodig", "laat maar",
          "nooit", "no", "niet doen", "niet")),
    (YES, ("ja", "jawel", "jaja", "jaa", "ok", "oke", "okee", "okay", "graag", "prima", "goed",
           "is goed", "doe maar", "yes", "jup", "jep", "yep", "top", "zeker", "please", "svp", "aub")),
)
MAX_ANSWER_WORDS = 4


def short_answer(intent: str | None, text: str) -> str | None:
    """YES, NO or UNSURE when the message answers a yes/no question; None otherwise."""
    if intent in ANSWER_INTENTS:
        return ANSWER_INTENTS[intent]
    words = re.findall(r"[a-zà-ÿ]+", (text or "").lower())
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    joined = " ".join(words)
    for kind, phrases in ANSWER_WORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", joined) for p in phrases):
            return kind
    return None


COST_WORDS = re.compile(r"kost|gratis|betal|duur|prijs|geld", re.IGNORECASE)


def asks_about_cost(text: str) -> bool:
    """'kost dat geld?', 'is het gratis', 'moet ik betalen'."""
    return bool(COST_WORDS.search(text or ""))


ABOUT_ME = re.compile(
    r"\b(wat (kan|kun|kn|doe|weet) (je|jij|u|jullie)|wat (kan|kun|kn) (je|jij) (allemaal|voor mij|voor me|doen)|"
    r"waar(mee)? (kan|kun) (je|jij) (me |mij )?(mee )?helpen|wie ben (je|jij)|wat ben (je|jij)|waar (ben|is) (je|jij|dit) (eigenlijk )?voor|wat is dit( voor iets)?)\b",
    re.IGNORECASE)


def asks_what_i_do(text: str) -> bool:
    """'wat kan je', 'wat kun jij voor mij doen', 'wie ben jij': what this assistant is for."""
    return bool(ABOUT_ME.search(text or ""))
