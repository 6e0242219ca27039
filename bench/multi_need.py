"""All the needs in a message: single intent against clause scoring (issue 13.2).

Runs in the Rasa environment (.venv-rasa, Python 3.10). Trains the NLU of config.yml on nlu/
and scores the held-out messages with two to four needs in tests/nlu/multi_need.yml (never
used in training). Per message: precision = needs found that are right / needs found, recall =
right needs found / needs in the message; averaged over messages, plus the share of messages
whose needs were found exactly. Writes bench/results/multi_need.json and prints Markdown for
docs/benchmarks.md.

    .venv-rasa/bin/python bench/multi_need.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from collections.abc import Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.needs import needs_in_message  # noqa: E402
from actions.routing import need_intents, second_need  # noqa: E402
from rasa_addons.needs import clauses, find_needs  # noqa: E402

RESULTS = ROOT / "bench" / "results"
MESSAGES = ROOT / "tests" / "nlu" / "multi_need.yml"
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def score(gold: list[set[str]], found: list[set[str]]) -> dict[str, float]:
    precision = [len(g & f) / len(f) if f else 0.0 for g, f in zip(gold, found, strict=True)]
    recall = [len(g & f) / len(g) for g, f in zip(gold, found, strict=True)]
    return {
        "precision": round(sum(precision) / len(gold), 3),
        "recall": round(sum(recall) / len(gold), 3),
        "exact": round(sum(g == f for g, f in zip(gold, found, strict=True)) / len(gold), 3),
        "needs_per_message": round(sum(len(f) for f in found) / len(gold), 2),
    }


def main() -> int:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    classifier = next(c for c in config["pipeline"] if c["name"].endswith("TfidfSvmClassifier"))
    threshold = classifier.get("need_threshold", 0.4)
    workdir = Path(tempfile.mkdtemp(prefix="bench-multi-need-"))
    model = train_nlu(str(ROOT / "config.yml"), str(ROOT / "nlu"), str(workdir), fixed_model_name="multi")
    agent = Agent.load(model)

    messages = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))["messages"]
    gold = [set(m["needs"]) for m in messages]
    pieces = {p for m in messages for p in [m["text"], *clauses(m["text"])]}
    parsed: dict[str, dict] = {}

    async def parse_all() -> None:
        for text in sorted(pieces):
            parsed[text] = await agent.parse_message(text)

    asyncio.run(parse_all())
    known = need_intents()

    def ranking(text: str) -> list[dict]:
        return [r for r in parsed[text].get("intent_ranking", []) if r["name"] != "nlu_fallback"]

    def top(text: str) -> str:
        return ranking(text)[0]["name"]

    def rank(texts: list[str]) -> list[list[dict]]:
        return [ranking(t) for t in texts]

    methods: dict[str, Callable[[str], set[str]]] = {
        "single intent (top of the ranking)": lambda t: {top(t)} & known,
        "single intent + word list (before issue 13)": lambda t: ({top(t)} & known) | (
            {s} if (s := second_need(t, top(t), ranking(t))) else set()),
        f"clauses, threshold {threshold} (parse data `needs`)": lambda t: {
            n["intent"] for n in parsed[t].get("needs", [])},
        "clauses + intent + word list (what the actions use)": lambda t: set(
            needs_in_message(top(t) if top(t) in known else None, t, ranking(t), parsed[t].get("needs"))),
    }
    rows = {name: score(gold, [method(m["text"]) for m in messages]) for name, method in methods.items()}
    sweep = {
        str(t): score(gold, [{n["intent"] for n in find_needs(m["text"], rank, known.__contains__, t)}
                             for m in messages])
        for t in THRESHOLDS
    }
    misses = [
        {"text": m["text"], "gold": sorted(g), "found": sorted({n["intent"] for n in parsed[m["text"]].get("needs", [])})}
        for m, g in zip(messages, gold, strict=True) if {n["intent"] for n in parsed[m["text"]].get("needs", [])} != g
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "multi_need.json").write_text(
        json.dumps({"messages": len(messages), "methods": rows, "threshold_sweep": sweep, "misses": misses},
                   indent=1, ensure_ascii=False), encoding="utf-8")

    print(f"{len(messages)} messages, {sum(len(g) for g in gold)} needs\n")
    print("| method | precision | recall | exact | needs found per message |")
    print("|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['precision']} | {r['recall']} | {r['exact']} | {r['needs_per_message']} |")
    print("\nthreshold sweep (clauses): " + ", ".join(
        f"{t}: P {r['precision']} R {r['recall']} exact {r['exact']}" for t, r in sweep.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
