"""Every need in a message, not only the top intent.

Residents tell several problems at once ("schulden, de deurwaarder komt morgen en mijn
uitkering is gestopt"). The intent classifier gives one best intent for the whole message,
so the other problems are lost. Here the same classifier also scores each clause (split at
sentence ends, commas and joining words such as "en", "maar", "want"); a clause adds
its best intent when that is a need and the classifier is sure enough. Measured against the
single top intent in docs/benchmarks.md (bench/multi_need.py).

Plain functions without Rasa objects, so the bench and the tests can use them directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

# Where one problem ends and the next may begin: sentence ends, commas, and joining words
# (Dutch and the English residents mix in).
CLAUSE_BREAK = re.compile(
    r"[.!?;:\n]+|,|\s[-+&]\s|\b(?:en|maar|daarnaast|bovendien|verder|plus|want|omdat|and|but|also)\b",
    re.IGNORECASE,
)

# Clauses that say how bad things are without naming a problem ("ik kan niet meer", "help"):
# they add no need of their own (the crisis net in the gateway reads them on the whole message).
NAMES_NO_PROBLEM = re.compile(
    r"(ik )?(kan|weet|trek|hou|houd) (het )?(echt )?(niet|nie) meer( aan| vol)?|help( me)?( aub| alsjeblieft)?|"
    r"alles (gaat|loopt) mis|ik weet niet (meer )?wat ik moet( doen)?",
    re.IGNORECASE,
)

Ranking = list[dict[str, Any]]  # [{"name": intent, "confidence": float}, ...], best first


def clauses(text: str) -> list[str]:
    """The parts of a message that may each name a problem ("schulden en herrie" -> 2)."""
    parts = (part.strip(" -'\"") for part in CLAUSE_BREAK.split(text or ""))
    return [part for part in parts if re.search(r"\w", part) and not NAMES_NO_PROBLEM.fullmatch(part)]


def find_needs(text: str, rank: Callable[[list[str]], Iterable[Ranking]], is_need: Callable[[str], bool],
               threshold: float) -> list[dict[str, Any]]:
    """Needs in the message, each once with its highest confidence, in the order the resident
    wrote them; the best intent of the whole message goes first when no clause names it."""
    parts = clauses(text)
    pieces = (parts if len(parts) > 1 else []) + [text]
    found: dict[str, float] = {}
    for number, ranking in enumerate(rank(pieces), start=1):
        best = ranking[0] if ranking else None
        if best and is_need(best["name"]) and best["confidence"] >= threshold:
            if number == len(pieces) and best["name"] not in found:  # the whole message
                found = {best["name"]: 0.0, **found}
            found[best["name"]] = max(found.get(best["name"], 0.0), float(best["confidence"]))
    return [{"intent": intent, "confidence": round(confidence, 4)} for intent, confidence in found.items()]
