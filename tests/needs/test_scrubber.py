"""The scrubber on a labelled set of adversarial Dutch inputs: no BSN, IBAN, phone number,
e-mail address or postcode may come out; ordinary words should."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.needs.scrubber import DROPPED, known_words, normalise, scrub, scrub_or_placeholder
from bot.yamlfile import read_yaml

CASES = read_yaml(Path(__file__).with_name("scrubber_cases.yml"))
STRICT = {"bsn", "iban", "phone", "email", "postcode", "mixed"}


def squash(text: str) -> str:
    return re.sub(r"[\s.\-_()/]", "", normalise(text)).lower()


def test_the_labelled_set_is_big_enough():
    assert len(CASES) >= 40
    assert sum(case["kind"] in STRICT for case in CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['kind']}" for i, c in enumerate(CASES)])
def test_no_secret_leaves(case):
    out = scrub(case["text"])
    if out is None:
        assert case["kind"] != "none", "an ordinary message was dropped"
        return
    for secret in case["secrets"]:
        assert squash(secret) not in squash(out), (case["text"], out)
    for word in case.get("keep", []):
        assert word in out, (case["text"], out)


def test_leak_count_is_zero_for_the_strict_kinds():
    leaks = []
    for case in CASES:
        out = scrub(case["text"])
        if case["kind"] in STRICT and out is not None:
            leaks += [s for s in case["secrets"] if squash(s) in squash(out)]
    assert leaks == []


def test_known_words_hold_the_residents_words_and_no_names():
    """The words that keep a word after "mijn zoon" come from the assistant's training data: a
    training example with a name in it must not teach the scrubber that the name is a word."""
    words = known_words()
    assert {"woont", "helpt", "heeft", "schulden", "belastingdienst", "maandag"} <= words
    assert not {"kevin", "anja", "yara", "lotje", "ahmed", "fatima", "dennis", "jansen"} & words


def test_fails_closed_on_digits_and_at_signs():
    assert scrub("referentie 12345 graag") is None
    assert scrub("iets met een @ erin") is None
    assert scrub_or_placeholder("code 9 8 7 6 5") == DROPPED


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_nothing_with_five_digits_or_an_at_survives(text):
    out = scrub(text)
    if out is not None:
        assert not re.search(r"\d{5,}", re.sub(r"[\s.\-/]", "", out))
        assert "@" not in out


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.from_regex(r"[1-9]\d{3} ?[A-Z]{2}", fullmatch=True), st.sampled_from(["ik woon op ", "postcode ", ""]))
def test_every_upper_case_postcode_goes(postcode, prefix):
    out = scrub(prefix + postcode + " graag")
    assert out is None or squash(postcode) not in squash(out)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(10_000_000, 99_999_999))
def test_every_mobile_number_goes(number):
    for written in (f"06{number}", f"06-{number}", f"+31 6 {number}", f"0031 6 {str(number)[:4]} {str(number)[4:]}"):
        out = scrub(f"bel {written} aub")
        assert out is None or str(number) not in re.sub(r"\D", "", out)
