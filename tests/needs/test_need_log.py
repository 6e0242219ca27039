"""No free text and no chat id can reach the need log: closed columns only, closed values only."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.needs.log import UNKNOWN_WIJK, InvalidNeed, need_event
from bot.needs.models import OUTCOMES, NeedEvent
from bot.taxonomy import themes_by_intent

WIJKEN = {"Centrum", "Noord"}
INTENTS = sorted(themes_by_intent())


def test_the_table_has_only_closed_short_columns():
    columns = {c.name: c for c in NeedEvent.__table__.columns}
    assert set(columns) == {"id", "week", "wijk", "theme", "intent", "outcome", "channel"}
    for name, column in columns.items():
        if name != "id":
            assert column.type.length <= 48
    assert not NeedEvent.__table__.foreign_keys


def test_unknown_intents_and_outcomes_are_refused_and_wijken_mapped():
    with pytest.raises(InvalidNeed):
        need_event({"intent": "ik heb schulden", "outcome": "met"}, "webchat", WIJKEN)
    with pytest.raises(InvalidNeed):
        need_event({"intent": "debt_bills", "outcome": "bel 0612345678"}, "webchat", WIJKEN)
    event = need_event({"intent": "debt_bills", "outcome": "met", "wijk": "Kerkstraat 12"}, "webchat", WIJKEN,
                       today=date(2026, 1, 7))
    assert (event.week, event.wijk, event.theme, event.channel) == ("2026-W02", UNKNOWN_WIJK, "schulden", "webchat")


free_text = st.text(min_size=1, max_size=40)
anything = st.one_of(free_text, st.integers(), st.none(), st.lists(free_text, max_size=2),
                     st.sampled_from(INTENTS + list(OUTCOMES) + sorted(WIJKEN)))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.dictionaries(st.one_of(st.sampled_from(["intent", "outcome", "wijk", "text", "chat_id", "session"]), free_text),
                       anything, max_size=7),
       st.one_of(free_text, st.sampled_from(["webchat", "telegram", "whatsapp"])))
def test_arbitrary_input_never_stores_anything_it_was_given_but_closed_values(fields, channel):
    try:
        event = need_event(fields, channel, WIJKEN)
    except InvalidNeed:
        return
    assert event.intent in INTENTS and event.outcome in OUTCOMES
    assert event.wijk in WIJKEN | {UNKNOWN_WIJK}
    assert event.theme == themes_by_intent()[event.intent]
    assert event.channel in ("webchat", "telegram", "whatsapp", "other")
    closed = set(INTENTS) | set(OUTCOMES) | WIJKEN | {UNKNOWN_WIJK, "webchat", "telegram", "whatsapp", "other"}
    for value in (fields.get("text"), fields.get("chat_id"), fields.get("session")):
        if isinstance(value, str) and value not in closed:
            assert value not in (event.week, event.wijk, event.theme, event.intent, event.outcome, event.channel)
