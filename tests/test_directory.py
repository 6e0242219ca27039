"""The service directory: the shipped file loads, covers every need, and a bad file is refused
with the file, entry and field named (also when the gateway starts)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from bot.directory import (
    DEFAULT_PATH, DirectoryError, find_wijk, load_directory, match_wijk, needs_location, parse_directory,
    route, wijk_for_postcode,
)
from bot.taxonomy import themes_by_intent
from bot.yamlfile import read_yaml
from tests.nlu_data import ROOT

NEED_INTENTS = [i for i, t in themes_by_intent().items() if t in ("schulden", "zorg", "overlast")]
WIJKEN = ["Centrum", "Noord", "Oosterpark", "Zuidwijk", "Westhaven", "Molenwijk"]
# The one documented hole in the demo data (see the header of directory/services.yml).
UNCOVERED = {("nuisance_neighbours", "Westhaven")}


@pytest.fixture(scope="module")
def raw() -> dict:
    return read_yaml(DEFAULT_PATH)


@pytest.fixture(scope="module")
def directory():
    return load_directory(DEFAULT_PATH)


def problems_for(raw: dict, tmp_path: Path) -> str:
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DirectoryError) as caught:
        load_directory(path)
    return str(caught.value)


def test_the_demo_directory_is_marked_as_demo_and_has_six_wijken(directory):
    assert directory.demo is True
    assert "DEMO" in DEFAULT_PATH.read_text(encoding="utf-8")
    assert directory.municipality == "Gemeente Voorbeeldstad"
    assert directory.wijk_names() == WIJKEN
    assert str(directory.timezone) == "Europe/Amsterdam"


def test_every_need_in_every_wijk_has_a_local_service_except_the_documented_gap(directory):
    missing = {(intent, wijk) for intent in NEED_INTENTS for wijk in WIJKEN
               if route(directory, intent, wijk).service is None}
    assert missing == UNCOVERED
    for intent in NEED_INTENTS:  # the city-wide option when the resident does not say
        assert route(directory, intent, None).service is not None, intent


def test_the_services_the_issue_asks_for_are_there(directory):
    names = " ".join(s.name for s in directory.services).lower()
    for part in ("schuldhulp", "budgetcoach", "sociaal raadslieden", "voedselbank", "energie", "wmo",
                 "buurtteam", "mantelzorg", "ontmoeten", "praktijkondersteuner", "jeugd en gezin",
                 "buurtbemiddeling", "wijkagent", "woonstede", "meld misdaad anoniem",
                 "meldpunt openbare ruimte", "geldfit", "113", "veilig thuis", "112"):
        assert part in names, part
    phones = {p for s in directory.services for p in s.phones}
    assert {"0900-8844", "0800-7000", "0800-8115", "0800-0113", "0800-2000", "112"} <= phones
    buurtteam = directory.service("buurtteam")
    assert {place.wijken[0] for place in buurtteam.locations} == set(WIJKEN)


def test_routing_by_wijk_and_postcode(directory):
    assert route(directory, "nuisance_youth", "Noord").address.startswith("Oosterweg 50")
    assert route(directory, "nuisance_youth", "Centrum").address.startswith("Wachtstraat 2")
    assert route(directory, "care_youth", "Westhaven").phone == "0123-456 802"
    assert route(directory, "care_loneliness", "Westhaven").service.id == "buurtteam"
    assert route(directory, "care_loneliness", "Noord").service.id == "ontmoeting"
    assert route(directory, "debt_bills", "Noord").service.id == "schuldhulp"
    assert route(directory, "debt_bills", "Noord").national.phones == ("0800-8115",)
    gap = route(directory, "nuisance_neighbours", "Westhaven")
    assert gap.service is None and gap.phone == "14 0123"
    assert wijk_for_postcode(directory, "1034") == "Noord"
    assert wijk_for_postcode(directory, "mijn postcode is 1034 AB") == "Noord"
    assert wijk_for_postcode(directory, "1034ab") == "Noord"
    assert wijk_for_postcode(directory, "ik heb 1000 euro schuld") is None
    assert wijk_for_postcode(directory, "10345") is None


def test_the_location_is_asked_only_where_the_answer_differs(directory):
    asked = {intent for intent in NEED_INTENTS if needs_location(directory, intent)}
    assert asked == {"care_loneliness", "care_youth", "nuisance_noise", "nuisance_neighbours",
                     "nuisance_youth", "nuisance_drugs"}


@pytest.mark.parametrize("text, wijk", [
    ("noord", "Noord"), ("ik woon in noord", "Noord"), ("Oosterprak", "Oosterpark"),
    ("molewijk", "Molenwijk"), ("de molenwijk", "Molenwijk"), ("zuidwyk", "Zuidwijk"),
    ("westhavn", "Westhaven"), ("binnenstad", "Centrum"), ("centum", "Centrum"), ("nord", "Noord"),
    ("1091 ZZ", "Oosterpark"), ("weet ik niet", None), ("ik woon ook hier", None), ("wist ik niet", None),
])
def test_wijk_names_with_typos_are_recognised(directory, text, wijk):
    assert find_wijk(directory, text) == wijk


def test_entities_yml_knows_every_wijk_name_and_alias(directory):
    entities = read_yaml(ROOT / "nlu" / "entities.yml")["nlu"]
    lookup = next(b for b in entities if b.get("lookup") == "wijk")["examples"]
    synonyms = {b["synonym"]: b["examples"] for b in entities if "synonym" in b}
    for wijk in directory.wijken:
        for name in (wijk.name.lower(), *wijk.aliases):
            assert f"- {name}\n" in lookup, name
            assert f"- {name}\n" in synonyms[wijk.name], name
        assert match_wijk(directory, wijk.name.lower()) == wijk.name


# ---- a bad file is refused with file, entry and field named --------------------------------

@pytest.mark.parametrize("change, expected", [
    (lambda d: d["services"][0].pop("phones"), "services[0] (schuldhulp): field 'phones': is missing"),
    (lambda d: d["services"][0].update(intents=["debt_bils"]),
     "services[0] (schuldhulp): field 'intents': 'debt_bils' is not an intent"),
    (lambda d: d["services"][0].update(service_areas=["Noordwijk"]),
     "services[0] (schuldhulp): field 'service_areas': 'Noordwijk' is not a wijk"),
    (lambda d: d["services"][0]["schedules"][0].update(opens_at="9 uur"),
     "services[0] (schuldhulp): field 'schedules.opens_at': '9 uur' is not a time"),
    (lambda d: d["services"][0]["schedules"][0].update(byday="MA,DI"),
     "services[0] (schuldhulp): field 'schedules.byday'"),
    (lambda d: d["services"][0]["schedules"][0].update(closes_at="08:00"),
     "field 'schedules.closes_at': must be later than opens_at"),
    (lambda d: d["services"][1].update(id="schuldhulp"), "services[1] (schuldhulp): field 'id': 'schuldhulp' is used twice"),
    (lambda d: d["services"][0].update(organization="onbekend"),
     "services[0] (schuldhulp): field 'organization': 'onbekend' is not an organization id"),
    (lambda d: d["services"][0].update(locations=["raadhuis"]),
     "services[0] (schuldhulp): field 'locations': 'raadhuis' is not a location id"),
    (lambda d: d["services"][0].update(phones=["bel ons"]), "field 'phones': 'bel ons' is not a phone number"),
    (lambda d: d["services"][0].pop("schedules"), "field 'schedules': is missing (or set always_open: true)"),
    (lambda d: d["wijken"][1]["postcodes"].append(1011), "wijken[1] (Noord): field 'postcodes': 1011 already belongs to Centrum"),
    (lambda d: d["wijken"][0]["postcodes"].append("10A1"), "wijken[0] (Centrum): field 'postcodes': '10A1' is not a 4-digit"),
    (lambda d: d["locations"][0].update(wijk="Noordpool"), "locations[0] (stadhuis): field 'wijk': 'Noordpool' is not one of the wijken"),
    (lambda d: d["municipality"].update(timezone="Europe/Voorbeeldstad"), "municipality: field 'timezone'"),
    (lambda d: d.pop("services"), "services: field 'services': must be a non-empty list"),
])
def test_a_bad_file_names_file_entry_and_field(raw, tmp_path, change, expected):
    broken = copy.deepcopy(raw)
    change(broken)
    message = problems_for(broken, tmp_path)
    assert "services.yml" in message and expected in message, message


def test_all_problems_are_reported_at_once(raw, tmp_path):
    broken = copy.deepcopy(raw)
    broken["services"][0].pop("phones")
    broken["services"][2].pop("description")
    message = problems_for(broken, tmp_path)
    assert "2 problem(s)" in message and "'phones'" in message and "'description'" in message


def test_not_yaml_and_missing_file_are_clear(tmp_path):
    path = tmp_path / "services.yml"
    path.write_text("services: [unclosed\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"services.yml: not valid YAML at line"):
        load_directory(path)
    with pytest.raises(DirectoryError, match="does not exist"):
        load_directory(tmp_path / "nope.yml")
    with pytest.raises(DirectoryError, match="must be a YAML mapping"):
        parse_directory(["a", "list"], path)


def test_the_gateway_refuses_to_start_with_a_bad_directory(raw, tmp_path):
    from bot.app import create_app
    from bot.config import Settings

    broken = copy.deepcopy(raw)
    broken["services"][0]["intents"] = ["geen_intent"]
    path = tmp_path / "kapot.yml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    settings = Settings.load({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "VOORDEUR_SECRET": "s",
                              "VOORDEUR_DATA_DIR": str(tmp_path), "VOORDEUR_DIRECTORY": str(path)})
    with pytest.raises(DirectoryError, match=r"kapot.yml: services\[0\] \(schuldhulp\): field 'intents'"):
        create_app(settings)


def test_the_gateway_knows_the_wijken_of_the_directory(tmp_path):
    from bot.app import create_app
    from bot.config import Settings

    settings = Settings.load({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "VOORDEUR_SECRET": "s",
                              "VOORDEUR_DATA_DIR": str(tmp_path)})
    assert create_app(settings).state.switchboard.known_wijken == set(WIJKEN)
