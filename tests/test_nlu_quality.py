"""The trained model plus the crisis net on the held-out messages (never used in training).

Bars from issue 2: intent macro-F1 >= 0.90, theme accuracy >= 0.95, crisis recall 1.0.
Scored exactly as `voordeur parse` reports (bot.cli.classify)."""

from __future__ import annotations

import httpx
import pytest

from bot.cli import classify
from bot.taxonomy import CRISIS_INTENTS, themes_by_intent
from bot.yamlfile import read_yaml
from tests.nlu_data import ROOT, holdout, training

MULTI_NEED = ROOT / "tests" / "nlu" / "multi_need.yml"


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label and g != label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


@pytest.fixture(scope="module")
def scored(rasa_server, rasa_token):
    pairs = [(text, intent) for intent, texts in holdout().items() for text in texts]
    rows = []
    with httpx.Client(base_url=rasa_server.url, timeout=30) as client:
        for text, intent in pairs:
            parsed = client.post("/model/parse", params={"token": rasa_token}, json={"text": text}).json()
            rows.append((intent, classify(parsed, text)))
    return rows


def test_intent_macro_f1_is_at_least_0_90(scored):
    gold = [g for g, _ in scored]
    predicted = [row["intent"] for _, row in scored]
    assert macro_f1(gold, predicted) >= 0.90


def test_theme_accuracy_is_at_least_0_95(scored):
    themes = themes_by_intent()
    correct = sum(themes[g] == row["theme"] for g, row in scored)
    assert correct / len(scored) >= 0.95


def test_every_crisis_message_is_recognised_as_crisis(scored):
    missed = [row["text"] for g, row in scored if g in CRISIS_INTENTS and row["theme"] != "crisis"]
    assert missed == []


def test_macro_f1_helper_is_right_on_a_small_case():
    assert macro_f1(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx((2 / 3 + 2 / 3) / 2)


def multi_need_messages() -> list[dict]:
    return read_yaml(MULTI_NEED)["messages"]


def test_multi_need_messages_are_never_trained_on_and_have_two_to_four_needs():
    train = {text.lower().strip() for texts in training().values() for text in texts}
    messages = multi_need_messages()
    assert len(messages) >= 40
    assert not [m["text"] for m in messages if m["text"].lower().strip() in train]
    assert all(2 <= len(set(m["needs"])) <= 4 and set(m["needs"]) <= set(themes_by_intent()) for m in messages)


def test_every_need_in_a_message_is_in_the_parse_data(rasa_server, rasa_token):
    """Issue 13.2: per message, most needs are found (recall) and few are made up (precision);
    the single top intent finds well under half of them (docs/benchmarks.md)."""
    recall, precision = [], []
    with httpx.Client(base_url=rasa_server.url, timeout=30) as client:
        for message in multi_need_messages():
            parsed = client.post("/model/parse", params={"token": rasa_token}, json={"text": message["text"]}).json()
            found = {need["intent"] for need in parsed["needs"]}
            gold = set(message["needs"])
            recall.append(len(found & gold) / len(gold))
            precision.append(len(found & gold) / len(found) if found else 0.0)
    assert sum(recall) / len(recall) >= 0.90
    assert sum(precision) / len(precision) >= 0.85
