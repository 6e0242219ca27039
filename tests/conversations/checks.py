"""What a resident needs from one turn of a conversation, as small checks.

Each check takes what the turn produced (`Turn`) and the value written in the YAML file, and
returns None when the resident got what they need, or one sentence saying what went wrong.
Checks describe needs (the right number first, an answer at all, no promise the desk cannot
keep), not exact wording, so the wording in domain.yml can change freely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HUMAN_STATES = ("waiting_for_human", "with_human")

# The emergency lines a crisis answer can lead with, and how a reply names each one.
EMERGENCY_LINES: dict[str, re.Pattern[str]] = {
    "112": re.compile(r"(?<![\d-])112(?!\d)"),
    "113": re.compile(r"(?<![\d-])113(?!\d)|0800[- ]?0113"),
    "veilig thuis": re.compile(r"veilig thuis|0800[- ]?2000", re.IGNORECASE),
}

# A reply outside desk hours that mentions a worker must also say when one reads it.
WORKER = re.compile(r"\bmedewerker", re.IGNORECASE)
WHEN = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|morgen|vandaag|"
    r"vanavond|overmorgen|\d{1,2}[:.]\d{2}|\d{1,2} uur|openingstijden|kantoortijden|werkdag)",
    re.IGNORECASE,
)
# Sentences that promise a person right now, whatever else they say.
PROMISE_NOW = re.compile(
    r"(leest (nu |ook )?mee|kijkt (nu )?mee|je krijgt (hier|zo|snel) (een )?antwoord|"
    r"is (zo|nu) bij je|neemt (zo|nu) contact|komt (zo|nu) bij je)",
    re.IGNORECASE,
)


@dataclass
class Turn:
    said: str
    messages: list[dict[str, Any]]
    state: str
    desk_open: bool
    intent: str | None = None
    theme: str | None = None
    needs: list[str] = field(default_factory=list)  # need-log intents recorded so far

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in (m.get("buttons") or [])]


def first_line_named(text: str) -> str | None:
    """Which emergency line the text names first, if any."""
    found = [(m.start(), name) for name, pattern in EMERGENCY_LINES.items() if (m := pattern.search(text))]
    return min(found)[1] if found else None


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def answered(turn: Turn, want: bool) -> str | None:
    got = any((m.get("text") or "").strip() for m in turn.messages)
    if want and not got:
        return "the resident got no answer"
    return None


def first_number(turn: Turn, want: str) -> str | None:
    first = first_line_named(turn.text)
    if first != want.lower():
        return f"the first emergency line named is {first!r}, not {want!r}"
    return None


def mentions(turn: Turn, want: Any) -> str | None:
    missing = [w for w in _as_list(want) if w.lower() not in turn.text.lower()]
    return f"the replies do not mention {missing}" if missing else None


def mentions_any(turn: Turn, want: Any) -> str | None:
    if not any(w.lower() in turn.text.lower() for w in _as_list(want)):
        return f"the replies mention none of {_as_list(want)}"
    return None


def not_mentions(turn: Turn, want: Any) -> str | None:
    found = [w for w in _as_list(want) if w.lower() in turn.text.lower()]
    return f"the replies mention {found}" if found else None


def state(turn: Turn, want: str) -> str | None:
    return None if turn.state == want else f"state is {turn.state!r}, not {want!r}"


def handover(turn: Turn, want: bool) -> str | None:
    handed = turn.state in HUMAN_STATES
    if handed != bool(want):
        return f"state is {turn.state!r}: " + ("no handover happened" if want else "handed over unasked")
    return None


def buttons_any(turn: Turn, want: Any) -> str | None:
    labels = [f"{b.get('title', '')} {b.get('payload', '')}".lower() for b in turn.buttons]
    if not any(w.lower() in label for w in _as_list(want) for label in labels):
        return f"no button matching {_as_list(want)} among {labels}"
    return None


def intent(turn: Turn, want: Any) -> str | None:
    return None if turn.intent in _as_list(want) else f"intent is {turn.intent!r}, not {want!r}"


def theme(turn: Turn, want: Any) -> str | None:
    return None if turn.theme in _as_list(want) else f"theme is {turn.theme!r}, not {want!r}"


def needs(turn: Turn, want: Any) -> str | None:
    missing = [w for w in _as_list(want) if w not in turn.needs]
    return f"need log lacks {missing} (has {turn.needs})" if missing else None


def max_words(turn: Turn, want: int) -> str | None:
    """The replies to this turn are short: a repeated answer must not be the same long block."""
    count = len(re.findall(r"\S+", turn.text))
    return f"replies have {count} words, more than {want}" if count > int(want) else None


def no_promise(turn: Turn, want: bool) -> str | None:
    """Outside desk hours nobody may be promised a person now, and a worker is named with when."""
    if not want or turn.desk_open:
        return None
    for message in turn.messages:
        text = message.get("text") or ""
        if PROMISE_NOW.search(text):
            return f"promises a person now while the desk is closed: {text!r}"
        if WORKER.search(text) and not WHEN.search(text):
            return f"names a worker without saying when, while the desk is closed: {text!r}"
    return None


NOT_YOUR_FAULT = re.compile(r"niet jouw schuld|not your fault", re.IGNORECASE)


def not_your_fault(turn: Turn, want: bool) -> str | None:
    """"Het is niet jouw schuld" is for the person it happens to, not for a worried neighbour."""
    said = bool(NOT_YOUR_FAULT.search(turn.text))
    if said != bool(want):
        return "tells the resident it is not their fault" if said else "does not say it is not their fault"
    return None


def in_language(turn: Turn, want: str) -> str | None:
    """Some reply paragraph is in this language; for "nl": no paragraph is in another language."""
    from bot.language import detect_language

    found = {detect_language(p) for p in re.split(r"\n\s*\n|\n", turn.text) if p.strip()}
    if want == "nl":
        return None if found <= {"nl"} else f"replies are partly in {sorted(found - {'nl'})}"
    return None if want in found else f"no reply is in {want!r} (found {sorted(found)})"


CHECKS: dict[str, Callable[[Turn, Any], str | None]] = {
    "answered": answered,
    "first_number": first_number,
    "mentions": mentions,
    "mentions_any": mentions_any,
    "not_mentions": not_mentions,
    "state": state,
    "handover": handover,
    "buttons_any": buttons_any,
    "intent": intent,
    "theme": theme,
    "needs": needs,
    "no_promise": no_promise,
    "max_words": max_words,
    "not_your_fault": not_your_fault,
    "in_language": in_language,
}
DEFAULTS = {"answered": True, "no_promise": True}


def problems(turn: Turn, expect: dict[str, Any]) -> list[str]:
    """Everything that went wrong in this turn (empty when the resident got what they need)."""
    unknown = set(expect) - set(CHECKS)
    if unknown:
        return [f"unknown check(s) {sorted(unknown)}"]
    wanted = {**DEFAULTS, **expect}
    return [p for name, value in wanted.items() if (p := CHECKS[name](turn, value))]
