"""The offer of a person says when a worker reads along outside desk hours (actions.actions.desk)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import desk, offer_person
from bot import clock

AMS = ZoneInfo("Europe/Amsterdam")


def tracker(metadata: dict | None = None, offers: float = 0) -> Tracker:
    events = [{"event": "user", "text": "ja", "metadata": metadata or {}}]
    return Tracker("r", {"offers_made": offers}, {"intent": {"name": "affirm"}}, events, False, None, {}, "")


def offer_text(t: Tracker) -> str:
    dispatcher = CollectingDispatcher()
    offer_person(dispatcher, t)
    return dispatcher.messages[0]["text"]


def test_the_gateway_says_whether_the_desk_is_open():
    assert desk(tracker({"desk_open": True}))[0] is True
    closed = offer_text(tracker({"desk_open": False, "desk_next_opening": "morgen om 9:00"}))
    assert "morgen om 9:00" in closed and "Nu is er geen medewerker" in closed
    assert "morgen" not in offer_text(tracker({"desk_open": True}))


def test_without_the_gateway_the_desk_hours_decide():
    with clock.frozen(datetime(2026, 11, 23, 4, 15, tzinfo=AMS)):  # Monday night
        assert "vandaag om 9:00" in offer_text(tracker())
    with clock.frozen(datetime(2026, 11, 24, 10, 30, tzinfo=AMS)):  # Tuesday morning
        assert desk(tracker())[0] and "Wil je dat een medewerker met je meekijkt?" == offer_text(tracker())


def test_the_second_offer_is_shorter_also_at_night():
    night = {"desk_open": False, "desk_next_opening": "dinsdag om 9:00"}
    first, second = offer_text(tracker(night)), offer_text(tracker(night, offers=1))
    assert "dinsdag om 9:00" in second and len(second) < len(first)
