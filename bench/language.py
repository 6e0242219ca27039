"""Choosing the language detector: accuracy on short messages, ms per message, memory.

    python bench/language.py [--only NAME ...]   # in a venv with the candidates installed:
    python3.11 -m venv /tmp/langbench && /tmp/langbench/bin/pip install \
        lingua-language-detector==2.1.1 py3langid==0.4.0 langdetect==1.0.9 pycld2==0.42 pyyaml

Each candidate runs in its own process (memory figures do not mix) on: the Dutch held-out
messages in tests/nlu/ (all, and those of at most four words), Dutch with English words
(must stay Dutch), and short everyday plus crisis messages in en, tr, ar, pl, uk. A message
counts as right when the detector's best language is the expected one; for the candidates
that are restricted, the set is LANGUAGES below. "voordeur" is bot/language.py (script, Dutch
words, then py3langid when at least 70% sure); run it with the project's .venv. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["nl", "en", "tr", "ar", "pl", "uk", "de", "fr", "es", "ru"]
# The Dutch held-out files as measured (holdout_residents.yml, added later, mixes in pure English).
DUTCH_FILES = ["holdout_blind.yml", "holdout_crisis.yml", "holdout_overlast_gesprek.yml", "holdout_schulden_zorg.yml"]
CANDIDATES = ["lingua", "lingua_low", "py3langid", "langdetect", "pycld2", "voordeur"]


def samples() -> dict[str, list[tuple[str, str]]]:
    """{group: [(expected language, text)]}."""
    groups: dict[str, list[tuple[str, str]]] = {"nl": [], "nl_short": []}
    for name in DUTCH_FILES:
        path = ROOT / "tests" / "nlu" / name
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                text = line.strip()[2:].strip()
                if text:
                    groups["nl"].append(("nl", text))
                    if len(text.split()) <= 4:
                        groups["nl_short"].append(("nl", text))
    short = yaml.safe_load((ROOT / "tests" / "nlu" / "languages" / "short_messages.yml").read_text(encoding="utf-8"))
    groups["nl_mixed"] = [("nl", t) for t in short["nl_mixed"]]
    # tests/nlu/ also holds some Turkish messages (residents write them); they count as Turkish.
    turkish = [pair for pair in groups["nl"] if re.search("[ğşıç]", pair[1])]
    groups["nl"] = [pair for pair in groups["nl"] if pair not in turkish]
    groups["nl_short"] = [pair for pair in groups["nl_short"] if pair not in turkish]
    for language in ("en", "tr", "ar", "pl", "uk"):
        groups[language] = [(language, t) for t in short[language]]
        if language == "tr":
            groups[language] += [("tr", t) for _, t in turkish]
        for path in sorted((ROOT / "tests" / "nlu" / "crisis_languages").glob(f"holdout_{language}*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
                groups[language] += [(language, line.strip()[2:]) for line in block["examples"].splitlines() if line.strip()]
    return groups


def detector(name: str):
    if name == "voordeur":  # what the gateway uses: script, Dutch words, then py3langid at 70%
        sys.path.insert(0, str(ROOT))
        from bot.language import detect_language

        return detect_language
    if name.startswith("lingua"):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models()
        if name == "lingua_low":
            builder = builder.with_low_accuracy_mode()
        found = builder.build()
        return lambda text: (lambda lang: lang.iso_code_639_1.name.lower() if lang else "")(found.detect_language_of(text))
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        identifier.set_languages(LANGUAGES)
        return lambda text: identifier.classify(text)[0]
    if name == "langdetect":
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0

        def run(text: str) -> str:
            try:
                return detect(text)
            except Exception:  # "No features in text"
                return ""

        return run
    if name == "pycld2":
        import pycld2

        def run(text: str) -> str:
            try:
                return pycld2.detect(text)[2][0][1]
            except Exception:
                return ""

        return run
    raise SystemExit(f"unknown candidate {name}")


def run_one(name: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    detect = detector(name)
    detect("this warms up the detector")
    load_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"name": name, "load_s": round(load_s, 2), "memory_mb": round((after - before) / 1024, 1)}
    timings = []
    for group, pairs in samples().items():
        right = 0
        for expected, text in pairs:
            t = time.perf_counter()
            right += detect(text) == expected
            timings.append(time.perf_counter() - t)
        result[group] = (right, len(pairs))
    timings.sort()
    result["ms_p50"] = round(timings[len(timings) // 2] * 1000, 3)
    result["ms_p95"] = round(timings[int(len(timings) * 0.95)] * 1000, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=CANDIDATES)
    parser.add_argument("--one")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for name in args.only:
        out = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{name}: failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout))
    groups = [g for g in rows[0] if isinstance(rows[0][g], list)]
    print("| detector | " + " | ".join(groups) + " | ms p50 / p95 | load s | memory MB |")
    print("|---|" + "---|" * (len(groups) + 3))
    for row in rows:
        cells = [f"{row[g][0] / row[g][1]:.2f}" for g in groups]
        print(f"| {row['name']} | " + " | ".join(cells) + f" | {row['ms_p50']} / {row['ms_p95']} | {row['load_s']} | {row['memory_mb']} |")
    print("\nmessages per group: " + ", ".join(f"{g} {rows[0][g][1]}" for g in groups))


if __name__ == "__main__":
    main()
