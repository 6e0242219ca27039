"""All the needs in a message, in the order the assistant takes them (issue 13.2).

The classifier puts every need it found in the parse data (`needs`, rasa_addons/needs.py).
Here: which needs a message has, the most urgent first (no food today, eviction, the bailiff,
energy cut off, then the rest in the order the resident wrote them), and what the assistant says back.
Plain functions; actions/actions.py wires them to Rasa.
"""

from __future__ import annotations

from typing import Any

from actions.routing import Reply, dutch_list, need_intents, say, second_need, topic
from bot.taxonomy import themes_by_intent

# Needs that cannot wait, most urgent first; every other need keeps the resident's order.
URGENT_FIRST = ("debt_food", "debt_rent", "debt_bailiff", "debt_energy")

# From this many needs, or this long a message, the resident gets a short summary and the
# offer of a person who can look at everything at once.
MANY_NEEDS = 3
LONG_STORY_CHARS = 400


def by_urgency(needs: list[str]) -> list[str]:
    """Urgent needs first (in URGENT_FIRST order), then the others in their own order."""
    unique = list(dict.fromkeys(needs))
    rank = {intent: i for i, intent in enumerate(URGENT_FIRST)}
    return sorted(unique, key=lambda intent: rank.get(intent, len(URGENT_FIRST)))


def needs_in_message(intent: str | None, text: str, ranking: list[dict[str, Any]],
                     found: list[dict[str, Any]] | None) -> list[str]:
    """Every need in this message, most urgent first.

    `found` is the classifier's `needs`; the message's own intent counts too, and the word
    list of actions.routing.second_need still adds a problem of another theme it spots."""
    known = need_intents()
    needs = [str(n.get("intent")) for n in found or [] if n.get("intent") in known]
    if intent in known and intent not in needs:
        needs.insert(0, intent)
    if needs:
        extra = second_need(text, needs[0], ranking)
        if extra and extra not in needs and not _same_theme_heard(extra, needs):
            needs.append(extra)
    return by_urgency(needs)


def _same_theme_heard(intent: str, needs: list[str]) -> bool:
    themes = themes_by_intent()
    return any(themes.get(n) == themes.get(intent) for n in needs)


def merge_open(new: list[str], still_open: list[str] | None) -> list[str]:
    """Needs of a new message first, then the ones still waiting from before (each once)."""
    return by_urgency(new) + [n for n in still_open or [] if n not in new]


def is_long_story(text: str, needs: list[str]) -> bool:
    return len(needs) >= MANY_NEEDS or (len(needs) >= 2 and len(text or "") >= LONG_STORY_CHARS)


def heard(needs: list[str], text: str) -> list[Reply]:
    """What the assistant says back before helping with the first need; nothing for one need."""
    if len(needs) < 2:
        return []
    if is_long_story(text, needs):
        return [say("utter_heard_many", needs=dutch_list([topic(n) for n in needs]), first=topic(needs[0]))]
    return [say("utter_two_problems", first=topic(needs[0]), second=topic(needs[1]))]
