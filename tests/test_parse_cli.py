"""`voordeur parse` (CONTRACTS.md §2) with the real trained model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.taxonomy import themes_by_intent
from tests.conftest import dead_url

VOORDEUR = [sys.executable, "-m", "bot.cli"]


def run_parse(stdin: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(VOORDEUR + ["parse", *args], input=stdin, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def test_parse_reports_contract_intents_in_order(rasa_server, rasa_token):
    lines = "ik heb schulden\n\nde buren maken herrie\n   \nhallo\n"
    result = run_parse(lines, "--rasa-url", rasa_server.url, env={"RASA_TOKEN": rasa_token})
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["ik heb schulden", "de buren maken herrie", "hallo"]
    themes = themes_by_intent()
    for row in rows:
        assert row["intent"] in themes and row["theme"] == themes[row["intent"]]
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["ranking"][0]["intent"] == row["intent"]
        assert all(r["intent"] in themes for r in row["ranking"])
    assert [r["theme"] for r in rows] == ["schulden", "overlast", "gesprek"]


def test_crisis_net_overrides_the_model(rasa_server, rasa_token):
    result = run_parse("ik heb pillen gespaard voor als het echt niet meer gaat\n",
                       "--rasa-url", rasa_server.url, env={"RASA_TOKEN": rasa_token})
    row = json.loads(result.stdout)
    assert row["intent"] == "crisis_suicide" and row["theme"] == "crisis"


def test_parse_starts_its_own_rasa_when_none_answers(rasa_server):
    # rasa_server only ensures the model exists; this command must start a second Rasa itself.
    result = run_parse("waar is de voedselbank\n", "--rasa-url", dead_url())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["theme"] == "schulden"


def test_parse_fails_with_one_line_when_there_is_no_model(tmp_path):
    result = run_parse("hoi\n", "--rasa-url", dead_url(),
                       env={"VOORDEUR_MODEL": str(tmp_path / "missing.tar.gz")})
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "model" in result.stderr
