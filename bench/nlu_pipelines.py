"""Compare NLU pipelines on the same train/test split (`make bench-nlu`).

Runs in the Rasa environment (.venv-rasa, Python 3.10). Each pipeline is trained on nlu/
and scored on the held-out messages in tests/nlu/ (never used in training), in a fresh
subprocess so memory figures do not mix. Writes bench/results/nlu.json and prints a
Markdown table for docs/benchmarks.md.

    .venv-rasa/bin/python bench/nlu_pipelines.py [--only NAME ...] [--holdout GLOB ...]

--holdout picks held-out files in tests/nlu/ (default all, holdout_*.yml), e.g. the files that
existed before a change, to compare figures before and after on the same messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CRISIS = {"crisis_suicide", "crisis_violence", "crisis_emergency"}

COMMON_TAIL = [
    {"name": "RegexEntityExtractor", "use_lookup_tables": True, "use_regexes": True},
    {"name": "EntitySynonymMapper"},
]

PIPELINES = {
    # What `rasa init` writes (language set to nl).
    "rasa_default": [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
        {"name": "EntitySynonymMapper"},
        {"name": "ResponseSelector", "epochs": 100, "constrain_similarities": True},
        {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
    ],
    # Word uni+bigrams and char n-grams into a linear model: trains in seconds.
    "logreg_ngrams": [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "CountVectorsFeaturizer", "ngram_range": [1, 2]},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
        {"name": "LogisticRegressionClassifier", "max_iter": 300, "solver": "lbfgs", "tol": 0.0001, "random_state": 42},
        *COMMON_TAIL,
    ],
    # Ours: TF-IDF words + char n-grams into a linear SVM (rasa_addons/tfidf_classifier.py).
    "tfidf_svm": [
        {"name": "WhitespaceTokenizer"},
        {"name": "rasa_addons.tfidf_classifier.TfidfSvmClassifier"},
        *COMMON_TAIL,
    ],
    # DIET with char n-grams, fewer epochs, no entity head.
    "diet_30": [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
        {"name": "DIETClassifier", "epochs": 30, "entity_recognition": False, "constrain_similarities": True, "random_seed": 42},
        *COMMON_TAIL,
    ],
}


DEFAULT_HOLDOUT = ["holdout_*.yml"]


def holdout(patterns: list[str] = DEFAULT_HOLDOUT) -> list[tuple[str, str]]:
    pairs = []
    paths = {path for pattern in patterns for path in (ROOT / "tests" / "nlu").glob(pattern)}
    for path in sorted(paths):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    pairs.append((line[2:].strip(), block["intent"]))
    return pairs


def themes() -> dict[str, str]:
    taxonomy = yaml.safe_load((ROOT / "bot" / "taxonomy.yml").read_text(encoding="utf-8"))
    return {name: spec["theme"] for name, spec in taxonomy["intents"].items()}


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to count (a held-out file without crisis)."""
    return round(part / whole, 4) if whole else None


def run_one(name: str, patterns: list[str] = DEFAULT_HOLDOUT) -> dict:
    """Train and score one pipeline (runs in its own process)."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from sklearn.metrics import f1_score

    sys.path.insert(0, str(ROOT))
    from bot.safety import detect_crisis  # stdlib only; the gateway's crisis net
    from bot.taxonomy import contract_intent

    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    config = {"recipe": "default.v1", "language": "nl", "pipeline": PIPELINES[name], "policies": []}
    (workdir / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    started = time.perf_counter()
    model = train_nlu(str(workdir / "config.yml"), str(ROOT / "nlu"), str(workdir), fixed_model_name=name)
    train_seconds = time.perf_counter() - started
    agent = Agent.load(model)

    pairs = holdout(patterns)
    themes_of = themes()
    predicted, latencies, confidences = [], [], []

    async def parse_all():
        for text, _ in pairs:
            t0 = time.perf_counter()
            result = await agent.parse_message(text)
            latencies.append((time.perf_counter() - t0) * 1000)
            ranking = [r for r in result.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
            top = ranking[0] if ranking else result["intent"]
            predicted.append(contract_intent(top["name"]))
            confidences.append(top["confidence"])

    asyncio.run(parse_all())
    gold = [intent for _, intent in pairs]
    with_net = [
        (match.intent if (match := detect_crisis(text)) else p) for (text, _), p in zip(pairs, predicted)
    ]
    crisis_gold = [i for i, g in enumerate(gold) if g in CRISIS]
    correct_conf = [c for c, p, g in zip(confidences, predicted, gold) if p == g]
    wrong_conf = [c for c, p, g in zip(confidences, predicted, gold) if p != g]
    latencies.sort()
    return {
        "pipeline": name,
        "train_seconds": round(train_seconds, 1),
        "holdout_messages": len(pairs),
        "macro_f1": round(f1_score(gold, predicted, average="macro"), 4),
        "macro_f1_with_net": round(f1_score(gold, with_net, average="macro"), 4),
        "theme_accuracy": round(sum(themes_of[p] == themes_of[g] for p, g in zip(with_net, gold)) / len(gold), 4),
        "crisis_recall_model": share(sum(predicted[i] in CRISIS for i in crisis_gold), len(crisis_gold)),
        "crisis_recall_with_net": share(sum(with_net[i] in CRISIS for i in crisis_gold), len(crisis_gold)),
        "parse_ms_p50": round(statistics.median(latencies), 1),
        "parse_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "confidence_correct": [round(c, 3) for c in correct_conf],
        "confidence_wrong": [round(c, 3) for c in wrong_conf],
        "errors": [
            {"text": t, "gold": g, "predicted": p}
            for (t, g), p in zip(pairs, with_net) if p != g
        ],
    }


def histogram(values: list[float]) -> list[int]:
    bins = [0] * 10
    for v in values:
        bins[min(int(v * 10), 9)] += 1
    return bins


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=list(PIPELINES))
    parser.add_argument("--holdout", nargs="*", default=DEFAULT_HOLDOUT)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.holdout)))
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.only:
        print(f"==> {name}", file=sys.stderr, flush=True)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, __file__, "--child", name, "--holdout", *args.holdout], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        result = json.loads(out.stdout.strip().splitlines()[-1])
        (RESULTS / f"nlu-{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
        results.append(result)
    print("| pipeline | train s | macro-F1 (model) | macro-F1 (+net) | theme acc | crisis recall model / +net | parse p50 / p95 ms | max RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['pipeline']} | {r['train_seconds']} | {r['macro_f1']} | {r['macro_f1_with_net']} | "
              f"{r['theme_accuracy']} | {r['crisis_recall_model']} / {r['crisis_recall_with_net']} | "
              f"{r['parse_ms_p50']} / {r['parse_ms_p95']} | {r['max_rss_mb']} |")
    for r in results:
        print(f"\n{r['pipeline']} confidence histogram (0.0-0.1 ... 0.9-1.0): "
              f"correct {histogram(r['confidence_correct'])}, wrong {histogram(r['confidence_wrong'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
