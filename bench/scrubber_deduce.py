"""Measure what deduce (Dutch de-identification) costs the gateway: start-up time, memory, and
time per message, next to Voordeur's own scrubber.

    python bench/scrubber_deduce.py            # uses the interpreter it runs in
    /path/to/venv-with-deduce/bin/python bench/scrubber_deduce.py --deduce

Each measurement runs in a fresh child process so start-up and memory are not shared."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MESSAGES = [
    "Hoi, ik ben Fatima de Vries en woon op de Kerkstraat 12 in Utrecht, bel me op 06-12345678.",
    "mijn buurman Jan Jansen maakt elke nacht herrie, ik woon in Lombok",
    "ik heb een schuld bij de gemeente Amsterdam, mijn bsn is 111222333",
    "Mevrouw Bakker uit Zwolle heeft geen eten meer voor de kinderen",
    "kan iemand mijn moeder Annie helpen met de boodschappen? ze woont aan de Dorpsweg 3",
] * 20

CHILD_DEDUCE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import deduce
t1 = time.perf_counter()
model = deduce.Deduce()
t2 = time.perf_counter()
messages = json.loads(sys.stdin.read())
model.deidentify(messages[0])
t3 = time.perf_counter()
for text in messages:
    model.deidentify(text).deidentified_text
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "init_s": t2 - t1, "first_s": t3 - t2,
                  "per_message_ms": (t4 - t3) * 1000 / len(messages),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_OWN = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from bot.needs.scrubber import scrub
t1 = time.perf_counter()
messages = json.loads(sys.stdin.read())
scrub(messages[0])
t2 = time.perf_counter()
for text in messages:
    scrub(text)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "init_s": 0.0, "first_s": t2 - t1,
                  "per_message_ms": (t3 - t2) * 1000 / len(messages),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = r"""
import json, resource
print(json.dumps({"max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], input=json.dumps(MESSAGES),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deduce", action="store_true", help="measure deduce (must be installed here)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; baseline interpreter max RSS "
          f"{child(BASELINE)['max_rss_mb']:.0f} MB")
    label, code, extra = ("deduce", CHILD_DEDUCE, ()) if args.deduce else ("voordeur scrubber", CHILD_OWN, (str(ROOT),))
    for run in range(1, args.runs + 1):
        r = child(code, *extra)
        print(f"{label} run {run}: import {r['import_s']:.2f} s, init {r['init_s']:.2f} s, "
              f"first message {r['first_s'] * 1000:.0f} ms, {r['per_message_ms']:.2f} ms/message, "
              f"max RSS {r['max_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
