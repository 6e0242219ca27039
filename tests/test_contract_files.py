"""The intent contract holds in the data: names, counts, and a held-out set kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.taxonomy import TAXONOMY_PATH, themes_by_intent
from bot.yamlfile import read_yaml
from tests.nlu_data import ROOT, holdout, training

SHARED = ROOT.parent / "shared" / "taxonomy.yml"


def test_packaged_taxonomy_is_the_shared_contract():
    if not SHARED.is_file():
        pytest.skip("shared/ is not beside this checkout")
    assert TAXONOMY_PATH.read_bytes() == SHARED.read_bytes()


def test_domain_declares_every_contract_intent():
    domain = read_yaml(ROOT / "domain.yml")
    assert set(themes_by_intent()) <= set(domain["intents"])


def test_every_intent_has_at_least_40_training_examples():
    data = training()
    short = {intent: len(data.get(intent, [])) for intent in themes_by_intent() if len(data.get(intent, [])) < 40}
    assert not short, short


def test_every_intent_has_at_least_8_held_out_messages_never_trained_on():
    train = {text.lower().strip() for texts in training().values() for text in texts}
    held = holdout()
    few = {intent: len(held.get(intent, [])) for intent in themes_by_intent() if len(held.get(intent, [])) < 8}
    assert not few, few
    leaked = [text for texts in held.values() for text in texts if text.lower().strip() in train]
    assert not leaked, leaked


def test_training_data_uses_only_known_intents():
    domain = read_yaml(ROOT / "domain.yml")
    assert set(training()) <= set(domain["intents"])


def test_every_extra_intent_reports_as_a_contract_intent():
    from bot.taxonomy import SUB_INTENTS

    domain = read_yaml(ROOT / "domain.yml")
    extra = [intent for intent in domain["intents"] if intent not in themes_by_intent()]
    assert all(SUB_INTENTS.get(intent) in themes_by_intent() for intent in extra), extra
