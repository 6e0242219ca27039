"""Read Rasa-format NLU files (training data in nlu/, held-out messages in tests/nlu/)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bot.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parent.parent


def examples(paths) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for block in read_yaml(Path(path)).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    by_intent[block["intent"]].append(line[2:].strip())
    return by_intent


def training() -> dict[str, list[str]]:
    return examples(sorted((ROOT / "nlu").glob("*.yml")))


def holdout() -> dict[str, list[str]]:
    return examples(sorted((ROOT / "tests" / "nlu").glob("holdout_*.yml")))


def crisis_language_sets() -> dict[str, list[tuple[str, str]]]:
    """The crisis net's held-out sets: {"en": [(intent, text), ...], "en_2": ...} (the file names)."""
    folder = ROOT / "tests" / "nlu" / "crisis_languages"
    return {
        path.stem.removeprefix("holdout_"): [(i, t) for i, texts in examples([path]).items() for t in texts]
        for path in sorted(folder.glob("holdout_*.yml"))
    }
