"""The crisis lexicon as data (bot/safety/lexicon/*.yml): every rule proves itself on its examples."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.safety import rule_matches
from bot.safety.normalise import base
from bot.safety.rules import KINDS, LEXICON_DIR, lexicons, raw_lexicon

LANGUAGES = sorted(path.stem for path in LEXICON_DIR.glob("*.yml"))
_GROUP_PREFIX = re.compile(r"^\?(?::|!|=|<!|<=|P<\w+>)")
RULES = [(lexicon, rule) for lexicon in lexicons() for rule in lexicon.rules]


def alternatives(pattern: str) -> list[list[str]]:
    """Every alternation of a regular expression: the top level and each group, as written."""
    stack: list[list[str]] = [[""]]
    found: list[list[str]] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        step = pattern[i : i + 2] if char == "\\" else char
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            stack[-1][-1] += "("
            stack.append([""])
            i += 1
            continue
        elif char == ")" and len(stack) > 1:
            group = stack.pop()
            found.append([_GROUP_PREFIX.sub("", group[0])] + group[1:])
            stack[-1][-1] += "(" + "|".join(group) + ")"
            i += 1
            continue
        elif char == "|":
            stack[-1].append("")
            i += 1
            continue
        stack[-1][-1] += step
        i += len(step)
    found.append(stack[0])
    return found


def duplicates(pattern: str) -> list[str]:
    return [alt for group in alternatives(pattern) for alt, n in Counter(group).items() if n > 1]


def test_alternatives_finder_sees_a_duplicate():
    assert duplicates(r"\b(?:slaat|schopt|slaat)\b") == ["slaat"]
    assert duplicates(r"\b(?:a|b)(?:a|c)|a[|]") == []
    assert duplicates(r"x|(?:y|z)|x") == ["x"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_duplicate_alternatives(language):
    data = raw_lexicon(language)
    written = list((data.get("macros") or {}).values())
    written += [pattern for pattern, _to, _example in data.get("rewrites") or []]
    for rule in data["rules"]:
        written += rule["match"] + (rule.get("unless") or [])
        assert not [line for line, n in Counter(rule["match"]).items() if n > 1], rule["id"]
    assert [(p, duplicates(p)) for p in written if duplicates(p)] == []


def test_rule_ids_are_unique_and_name_their_kind():
    ids = [rule.id for _, rule in RULES]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(rule.kind in KINDS for _, rule in RULES)


@pytest.mark.parametrize("lexicon,rule", RULES, ids=[rule.id for _, rule in RULES])
def test_rule_catches_its_examples_and_leaves_its_near_misses(lexicon, rule):
    assert rule.positive and rule.negative, "every rule needs examples both ways"
    for text in rule.positive:
        assert any(rule_matches(rule, v) for v in lexicon.forms(text)), text
    for text in rule.negative:
        assert not any(rule_matches(rule, v) for v in lexicon.forms(text)), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rewrite_changes_its_example(language):
    macros = raw_lexicon(language).get("macros") or {}
    from bot.safety.rules import expand

    for pattern, replacement, example in raw_lexicon(language).get("rewrites") or []:
        plain = base(example)
        assert re.sub(expand(pattern, macros), replacement, plain) != plain, (pattern, example)


@pytest.mark.parametrize("lexicon", lexicons(), ids=lambda lexicon: lexicon.language)
def test_one_pattern_of_all_rules_finds_what_some_rule_finds(lexicon):
    """The crisis net tries the rules one by one only where the lexicon's joined pattern found
    something: it must find something exactly where at least one rule's pattern does."""
    examples = [text for lx in lexicons() for rule in lx.rules + lx.cues for text in rule.positive + rule.negative]
    examples += ["hallo", "ik heb schulden", "de buren maken herrie", "", "ik wil dood", "hij heeft een mes"]
    found_by_a_rule = 0
    for text in examples:
        for form in lexicon.forms(text):
            by_a_rule = any(rule.pattern.search(form) for rule in lexicon.rules)
            found_by_a_rule += by_a_rule
            assert bool(lexicon.any_rule.search(form)) == by_a_rule, (lexicon.language, form)
    assert found_by_a_rule > 0
