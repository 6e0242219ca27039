"""The routing logic of actions/routing.py as plain functions, on a fixed clock (no servers)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions.routing import (
    LocationAnswer, location_buttons, need_fields, read_location, route_answer, say, second_need,
)
from bot.directory import DEFAULT_PATH, load_directory, route

AMS = ZoneInfo("Europe/Amsterdam")
DIRECTORY = load_directory(DEFAULT_PATH)


@pytest.mark.parametrize("text, entity, expected", [
    ("ik woon in noord", None, LocationAnswer("Noord")),
    ("1034", None, LocationAnswer("Noord")),
    ("1034 AB", None, LocationAnswer("Noord")),
    ("oosterprak", None, LocationAnswer("Oosterpark")),
    ("/inform_location", "Westhaven", LocationAnswer("Westhaven")),
    ("/inform_location", "onbekend", LocationAnswer(None)),
    ("weet ik niet", None, LocationAnswer(None)),
    ("zeg ik liever niet", None, LocationAnswer(None)),
    ("dat gaat je niks aan", None, LocationAnswer(None)),
    ("huh wat bedoel je", None, None),
    ("9999", None, None),
])
def test_reading_a_location_answer(text, entity, expected):
    assert read_location(DIRECTORY, text, entity) == expected


@pytest.mark.parametrize("text, intent, ranking, expected", [
    ("ik heb schulden en de buren maken herrie", "debt_bills",
     [{"name": "debt_bills"}, {"name": "nuisance_noise"}], "nuisance_noise"),
    ("ik heb schulden en de buren maken herrie", "debt_bills", [{"name": "debt_bills"}], "nuisance_neighbours"),
    ("de buren maken herrie en ik ben zo eenzaam", "nuisance_noise", [], "care_loneliness"),
    ("ik heb schulden en een deurwaarder", "debt_bills", [{"name": "debt_bailiff"}], None),
    ("/debt_bills", "debt_bills", [{"name": "nuisance_noise"}], None),
])
def test_a_second_problem_of_another_theme(text, intent, ranking, expected):
    assert second_need(text, intent, ranking) == expected


def test_answer_when_open():
    now = datetime(2026, 3, 10, 10, 0, tzinfo=AMS)
    answer = route_answer(DIRECTORY, route(DIRECTORY, "debt_bills", "Noord"), now)
    assert answer.outcome == "met"
    assert "Schuldhulpverlening Voorbeeldstad" in answer.text and "Bel 0123-456 700." in answer.text
    assert "Raadhuisplein 1" in answer.text and "Nu open, tot 17:00." in answer.text
    assert "Geldfit: 0800-8115" in answer.text


def test_answer_on_a_public_holiday_is_out_of_hours():
    now = datetime(2026, 12, 25, 10, 0, tzinfo=AMS)
    answer = route_answer(DIRECTORY, route(DIRECTORY, "care_home_support", "Centrum"), now)
    assert answer.outcome == "out_of_hours"
    assert "Vandaag is het Eerste Kerstdag." in answer.text
    assert "Weer open: maandag 28 december om 9:00." in answer.text


def test_answer_for_a_line_that_is_always_open():
    now = datetime(2026, 12, 25, 3, 0, tzinfo=AMS)
    answer = route_answer(DIRECTORY, route(DIRECTORY, "nuisance_drugs", "Zuidwijk"), now)
    assert answer.outcome == "met" and "dag en nacht" in answer.text and "Oosterweg 50" in answer.text
    assert "Meld Misdaad Anoniem: 0800-7000" in answer.text


def test_answer_without_a_local_service():
    answer = route_answer(DIRECTORY, route(DIRECTORY, "nuisance_neighbours", "Westhaven"))
    assert answer.outcome == "no_local_service"
    assert "In Westhaven is hier nog geen hulp voor." in answer.text and "14 0123" in answer.text


def test_answer_without_a_wijk_names_where_the_service_works():
    answer = route_answer(DIRECTORY, route(DIRECTORY, "nuisance_neighbours", None))
    assert "hele stad" in answer.text and "Buurtbemiddeling" in answer.text
    assert "Centrum, Noord, Oosterpark, Zuidwijk en Molenwijk" in answer.text


def test_wording_comes_from_the_domain_with_placeholders_filled():
    offer = say("utter_offer_second", second="lawaai", second_intent="nuisance_noise")
    assert "lawaai" in offer.text and offer.buttons[0]["payload"] == "/nuisance_noise"
    buttons = location_buttons(DIRECTORY)
    assert [b["title"] for b in buttons][:6] == DIRECTORY.wijk_names()
    assert buttons[-1]["payload"] == '/inform_location{"wijk": "onbekend"}'


def test_need_fields_are_closed():
    assert need_fields("debt_bills", None, "met") == {"intent": "debt_bills", "wijk": "onbekend", "outcome": "met"}


def test_answer_is_short_first_with_details_on_request():
    now = datetime(2026, 3, 10, 10, 0, tzinfo=AMS)
    answer = route_answer(DIRECTORY, route(DIRECTORY, "debt_bills", "Noord"), now)
    assert "Schuldhulpverlening Voorbeeldstad" in answer.short and "Bel 0123-456 700." in answer.short
    assert "Nu open, tot 17:00." in answer.short  # whether to call now belongs in the short part
    assert "Raadhuisplein 1" not in answer.short and "Open: " not in answer.short
    assert "Raadhuisplein 1" in answer.details and "Open: ma t/m vr" in answer.details
    assert "Geldfit: 0800-8115" in answer.details
    assert len(answer.short.split()) < len(answer.text.split()) * 0.7
