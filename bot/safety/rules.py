"""The crisis lexicon as data: loading and compiling bot/safety/lexicon/<language>.yml.

Each file holds macros, rewrites, rules and cues. A rule is one kind of crisis (suicide,
violence, emergency) written as one regular expression per line, plus the contexts that
cancel it (`unless`) and examples that tests/test_safety_lexicon.py runs. A cue shapes the
answer once a rule matched: `urgent.*` puts 112 first (a weapon, fire, someone at the door,
danger now), `other.*` says the violence happens to someone else than the writer. Keeping
the words in data lets a reviewer read and change one way of saying something at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any


from bot.safety.normalise import Rewrite, fold, variants, variants_any
from bot.yamlfile import read_yaml

LEXICON_DIR = Path(__file__).with_name("lexicon")
KINDS = ("suicide", "violence", "emergency")
CUES = ("urgent", "other")
INTENT_OF_KIND = {kind: f"crisis_{kind}" for kind in KINDS}

_MACRO_RE = re.compile(r"\{([A-Za-z_]\w*)\}")
_GAP_RE = re.compile(r"g(\d)")


@dataclass(frozen=True)
class Rule:
    """A crisis rule ("suicide.wil_dood") or a cue ("urgent.weapon")."""

    id: str  # "<kind>.<name>"; never contains the resident's text
    language: str
    match: tuple[str, ...]  # one alternative per line, macros expanded
    unless: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()  # examples it must match (`crisis` / `yes` in the file)
    negative: tuple[str, ...] = ()  # near misses it must leave alone (`not_crisis` / `no`)
    applies_to: tuple[str, ...] = KINDS  # for cues: the crisis kinds it changes

    @property
    def kind(self) -> str:
        return self.id.split(".")[0]

    @property
    def intent(self) -> str:
        return INTENT_OF_KIND[self.kind]

    @cached_property  # a frozen dataclass keeps it in its __dict__: read on every message
    def pattern(self) -> re.Pattern[str]:
        return _compiled("|".join(self.match))

    @cached_property
    def unless_pattern(self) -> re.Pattern[str] | None:
        return _compiled("|".join(self.unless)) if self.unless else None


@dataclass(frozen=True)
class Lexicon:
    language: str
    rewrites: tuple[Rewrite, ...]
    rules: tuple[Rule, ...]
    cues: tuple[Rule, ...]

    @cached_property
    def any_rule(self) -> re.Pattern[str]:
        """Every rule's alternatives in one pattern: where it finds nothing, no rule fires (most
        messages), so the rules are not tried one by one."""
        return _compiled("|".join(alternative for rule in self.rules for alternative in rule.match))

    def forms(self, text: str) -> list[str]:
        """The normalised forms of a message that this language's patterns read."""
        if self.language == "nl":
            return variants(text, self.rewrites)
        return variants_any(text)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def expand(pattern: str, macros: dict[str, str]) -> str:
    """Replace {NAME} by its macro (recursively) and {gN} by a gap of at most N words."""

    def one(found: re.Match[str]) -> str:
        name = found.group(1)
        gap = _GAP_RE.fullmatch(name)
        if gap:
            return r"(?:\w+ ){0,%s}" % gap.group(1)
        return expand(macros[name], macros)

    return fold(_MACRO_RE.sub(one, pattern))


def _rule(item: dict[str, Any], language: str, macros: dict[str, str]) -> Rule:
    return Rule(
        id=item["id"],
        language=language,
        match=tuple(expand(p, macros) for p in item["match"]),
        unless=tuple(expand(p, macros) for p in item.get("unless") or []),
        positive=tuple(item.get("crisis") or item.get("yes") or []),
        negative=tuple(item.get("not_crisis") or item.get("no") or []),
        applies_to=tuple(item.get("for") or KINDS),
    )


def load_lexicon(path: Path) -> Lexicon:
    data: dict[str, Any] = read_yaml(path)
    language = data["language"]
    macros = data.get("macros") or {}
    rewrites = tuple(
        (re.compile(expand(pattern, macros)), replacement) for pattern, replacement, _example in data.get("rewrites") or []
    )
    return Lexicon(
        language=language,
        rewrites=rewrites,
        rules=tuple(_rule(item, language, macros) for item in data["rules"]),
        cues=tuple(_rule(item, language, macros) for item in data.get("cues") or []),
    )


@cache
def lexicons() -> tuple[Lexicon, ...]:
    """Every language's lexicon, Dutch first (its rules decide the intent when they match)."""
    paths = sorted(LEXICON_DIR.glob("*.yml"), key=lambda p: (p.stem != "nl", p.stem))
    loaded = tuple(load_lexicon(path) for path in paths)
    for rule in (rule for lexicon in loaded for rule in lexicon.rules + lexicon.cues):
        rule.pattern, rule.unless_pattern  # noqa: B018 -- compile now, not on the first resident in crisis
    for lexicon in loaded:
        lexicon.any_rule  # noqa: B018
    return loaded


def raw_lexicon(language: str) -> dict[str, Any]:
    """The YAML of one language as written (for the tests that check the data itself)."""
    return read_yaml(LEXICON_DIR / f"{language}.yml")
