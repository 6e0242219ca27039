"""The crisis net per language: recall and false crises on the held-out sets, and its cost.

    .venv/bin/python bench/crisis.py

Reads tests/nlu/crisis_languages/holdout_*.yml (never used to write the lexicon), plus every non-crisis
training message in nlu/ as a Dutch precision check, and prints the Markdown table for
docs/benchmarks.md. "first number right" counts crisis messages whose answer names the
expected line first: 112 for an emergency or when a cue says 112 leads, 113 for suicide,
Veilig Thuis for violence. Exit status is 0; the thresholds live in tests/test_safety_languages.py.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.safety import detect_crisis  # noqa: E402
from bot.safety.reply import first_number  # noqa: E402
from tests.nlu_data import crisis_language_sets, training  # noqa: E402


def main() -> None:
    tracemalloc.start()
    for warm_up in ("load the lexicons", "ik wil dood", "my ex is at the door with a knife"):
        detect_crisis(warm_up)  # compile every pattern and cue once, as a running gateway has
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print("| set | crisis msgs | recall | right intent | first number right | look-alikes | false crises |")
    print("|---|---|---|---|---|---|---|")
    timings: list[float] = []
    for name, pairs in crisis_language_sets().items():
        crisis = [(i, t) for i, t in pairs if i != "not_crisis"]  # "crisis_violence+112": 112 leads
        calm = [t for i, t in pairs if i == "not_crisis"]
        caught = right = first = 0
        for intent, text in crisis:
            runs = []
            for _ in range(3):  # the best of three: the machine is shared, the net is not the noise
                started = time.perf_counter()
                match = detect_crisis(text)
                runs.append(time.perf_counter() - started)
            timings.append(min(runs))
            if match is not None:
                caught += 1
                right += match.intent == intent.split("+")[0]
                first += first_number(match) == expected_first(intent)
        false = sum(detect_crisis(t) is not None for t in calm)
        print(f"| {name} | {len(crisis)} | {caught / len(crisis):.2f} ({caught}) | {right} | {first} "
              f"| {len(calm)} | {false} |")
    others = [t for i, texts in training().items() if not i.startswith("crisis_") for t in texts]
    started = time.perf_counter()
    false_nl = sum(detect_crisis(t) is not None for t in others)
    per_message = (time.perf_counter() - started) / len(others)
    print(f"| nl training, non-crisis | - | - | - | - | {len(others)} | {false_nl} |")
    print()
    print(f"ms per message: held-out p50 {statistics.median(timings) * 1000:.2f}, "
          f"p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:.2f}; "
          f"Dutch non-crisis mean {per_message * 1000:.2f}; lexicons in memory {peak / 1e6:.1f} MB")


def expected_first(label: str) -> str:
    """The line that should lead: 112 when the held-out label says so, else the kind's own line."""
    intent, _, lead = label.partition("+")
    return lead or {"crisis_suicide": "113", "crisis_violence": "veilig thuis", "crisis_emergency": "112"}[intent]


if __name__ == "__main__":
    main()
