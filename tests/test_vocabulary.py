"""One vocabulary: themes, intents and their Dutch labels are defined in bot/taxonomy.py only."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.taxonomy import (CRISIS_INTENTS, INTENT_LABELS, NEED_THEMES, SUB_INTENTS, THEME_LABELS, intent_label,
                          theme_label, themes, themes_by_intent)

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "bot" / "taxonomy.py"


def test_every_intent_and_theme_has_a_dutch_label():
    assert set(themes_by_intent()) <= set(INTENT_LABELS), set(themes_by_intent()) - set(INTENT_LABELS)
    assert set(themes()) == set(THEME_LABELS)
    for intent in [*themes_by_intent(), *SUB_INTENTS]:
        assert intent_label(intent) not in ("", intent, "overige vraag", "onbekend"), intent
    assert theme_label("schulden") == "Geldzorgen" and theme_label(None) == "Gesprek"


def copies_in(tree: ast.AST) -> list[tuple[int, list[str]]]:
    """Literal second definitions: a set, tuple or list holding all crisis intents or all need
    themes, or a dict from theme or intent names to their Dutch labels."""
    names = set(themes()) | set(themes_by_intent())
    labels = set(THEME_LABELS.values()) | set(INTENT_LABELS.values())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
            items = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if set(CRISIS_INTENTS) <= items or set(NEED_THEMES) <= items:
                found.append((node.lineno, sorted(items & names)))
        elif isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in names]
            if len(keys) >= 2 and any(isinstance(v, ast.Constant) and v.value in labels for v in node.values):
                found.append((node.lineno, keys))
    return found


def test_no_second_definition_of_themes_intents_or_labels():
    sources = [p for folder in ("bot", "actions") for p in sorted((ROOT / folder).rglob("*.py")) if p != VOCABULARY]
    copies = {str(p.relative_to(ROOT)): hits for p in sources
              if (hits := copies_in(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not copies, f"define themes, intents and their labels in bot/taxonomy.py only: {copies}"


def test_the_check_finds_a_copy():
    labels = ast.parse('THEME_NL = {"schulden": "Geldzorgen", "zorg": "Zorg"}')
    crisis = ast.parse('X = 1\nCRISIS = {"crisis_emergency", "crisis_violence", "crisis_suicide"}')
    themes_list = ast.parse('THEMES = ["schulden", "zorg", "overlast", "crisis", "gesprek"]')
    words = ast.parse('WORDS = {"schulden": {"schuld": "debt_bills"}, "zorg": {}}')  # data per theme, no labels
    assert copies_in(labels) == [(1, ["schulden", "zorg"])]
    assert copies_in(crisis) == [(2, ["crisis_emergency", "crisis_suicide", "crisis_violence"])]
    assert len(copies_in(themes_list)) == 1 and copies_in(words) == []
