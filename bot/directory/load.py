"""Read directory/services.yml and check every field. A bad file raises DirectoryError, whose
message names the file, the entry and the field of each problem (all problems at once)."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.directory.model import (
    CITY, DAYS, NATIONAL, Directory, Location, Organization, Schedule, Service, ServiceAtLocation, Wijk,
)
from bot.taxonomy import themes_by_intent
from bot.yamlfile import read_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
PC4_PATTERN = re.compile(r"^[1-9]\d{3}$")
PHONE_PATTERN = re.compile(r"^[0-9][0-9 -]{1,18}[0-9]$")


class DirectoryError(ValueError):
    """The directory file is wrong; the message says where."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"service directory {path} has {len(problems)} problem(s):\n{lines}")


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def problem(self, entry: str, field: str, message: str) -> None:
        self.problems.append(f"{self.path.name}: {entry}: field '{field}': {message}")

    def text(self, entry: str, data: dict[str, Any], field: str, required: bool = True) -> str:
        value = data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(entry, field, "is missing")
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.problem(entry, field, "must be text")
            return ""
        return str(value).strip()

    def items(self, entry: str, data: dict[str, Any], field: str, required: bool = True) -> list[Any]:
        value = data.get(field)
        if value is None:
            if required:
                self.problem(entry, field, "is missing")
            return []
        if not isinstance(value, list):
            self.problem(entry, field, "must be a list")
            return []
        if required and not value:
            self.problem(entry, field, "must not be empty")
        return value

    def flag(self, entry: str, data: dict[str, Any], field: str) -> bool:
        value = data.get(field, False)
        if not isinstance(value, bool):
            self.problem(entry, field, "must be true or false")
            return False
        return value

    def ident(self, entry: str, data: dict[str, Any], seen: set[str]) -> str:
        value = self.text(entry, data, "id")
        if value and not ID_PATTERN.match(value):
            self.problem(entry, "id", f"'{value}' may only hold lower-case letters, digits and '-'")
        elif value in seen:
            self.problem(entry, "id", f"'{value}' is used twice")
        seen.add(value)
        return value

    def phones(self, entry: str, values: list[Any]) -> tuple[str, ...]:
        phones = []
        for value in values:
            text = str(value).strip()
            if not PHONE_PATTERN.match(text):
                self.problem(entry, "phones", f"'{text}' is not a phone number (digits, spaces and '-')")
            phones.append(text)
        return tuple(phones)


def _section(checker: _Checker, raw: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = raw.get(name)
    if not isinstance(value, list) or not value:
        checker.problem(name, name, "must be a non-empty list")
        return []
    entries = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            entries.append(item)
        else:
            checker.problem(f"{name}[{index}]", name, "each entry must be a mapping of fields")
    return entries


def _entry(section: str, index: int, data: dict[str, Any], key: str = "id") -> str:
    label = data.get(key) or data.get("name")
    return f"{section}[{index}] ({label})" if label else f"{section}[{index}]"


def _time(checker: _Checker, entry: str, field: str, value: Any) -> time | None:
    text = str(value).strip() if value is not None else ""
    match = TIME_PATTERN.match(text)
    if not match:
        checker.problem(entry, field, f"'{text}' is not a time like 09:00")
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _schedules(checker: _Checker, entry: str, values: list[Any]) -> tuple[Schedule, ...]:
    schedules = []
    for value in values:
        if not isinstance(value, dict):
            checker.problem(entry, "schedules", "each schedule needs byday, opens_at and closes_at")
            continue
        byday = value.get("byday")
        codes = byday.split(",") if isinstance(byday, str) else byday if isinstance(byday, list) else []
        codes = [str(code).strip().upper() for code in codes]
        bad = [code for code in codes if code not in DAYS]
        if not codes or bad:
            checker.problem(entry, "schedules.byday", f"'{byday}' must list day codes from {','.join(DAYS)}")
            continue
        opens = _time(checker, entry, "schedules.opens_at", value.get("opens_at"))
        closes = _time(checker, entry, "schedules.closes_at", value.get("closes_at"))
        if opens and closes and closes <= opens:
            checker.problem(entry, "schedules.closes_at", "must be later than opens_at")
            continue
        if opens and closes:
            schedules.append(Schedule(tuple(sorted(DAYS.index(c) for c in codes)), opens, closes))
    return tuple(schedules)


def parse_directory(raw: Any, path: Path) -> Directory:
    checker = _Checker(path)
    if not isinstance(raw, dict):
        raise DirectoryError(path, [f"{path.name}: the file must be a YAML mapping with wijken, organizations, "
                                    "locations and services"])
    intents = set(themes_by_intent())

    municipality: dict[str, Any] = raw["municipality"] if isinstance(raw.get("municipality"), dict) else {}
    if not municipality:
        checker.problem("municipality", "municipality", "must give name, timezone and phone")
    name = checker.text("municipality", municipality, "name")
    phone = checker.text("municipality", municipality, "phone")
    if phone:
        checker.phones("municipality", [phone])
    tz_name = checker.text("municipality", municipality, "timezone", required=False) or "Europe/Amsterdam"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        checker.problem("municipality", "timezone", f"'{tz_name}' is not a known time zone")
        tz = ZoneInfo("Europe/Amsterdam")

    wijken: list[Wijk] = []
    by_postcode: dict[str, str] = {}
    names_seen: set[str] = set()
    for index, data in enumerate(_section(checker, raw, "wijken")):
        entry = _entry("wijken", index, data, "name")
        wijk_name = checker.text(entry, data, "name")
        if wijk_name.lower() in names_seen:
            checker.problem(entry, "name", f"'{wijk_name}' is used twice")
        names_seen.add(wijk_name.lower())
        postcodes = []
        for value in checker.items(entry, data, "postcodes"):
            code = str(value).strip()
            if not PC4_PATTERN.match(code):
                checker.problem(entry, "postcodes", f"'{code}' is not a 4-digit postcode (PC4)")
            elif code in by_postcode:
                checker.problem(entry, "postcodes", f"{code} already belongs to {by_postcode[code]}")
            else:
                by_postcode[code] = wijk_name
                postcodes.append(code)
        aliases = tuple(str(a).strip().lower() for a in checker.items(entry, data, "aliases", required=False))
        wijken.append(Wijk(wijk_name, tuple(postcodes), aliases))
    wijk_names = {w.name for w in wijken}

    organizations: dict[str, Organization] = {}
    seen: set[str] = set()
    for index, data in enumerate(_section(checker, raw, "organizations")):
        entry = _entry("organizations", index, data)
        org_id = checker.ident(entry, data, seen)
        organizations[org_id] = Organization(
            org_id, checker.text(entry, data, "name"), checker.flag(entry, data, "national"),
            checker.text(entry, data, "description", required=False),
            checker.text(entry, data, "website", required=False),
        )

    locations: dict[str, Location] = {}
    seen = set()
    for index, data in enumerate(_section(checker, raw, "locations")):
        entry = _entry("locations", index, data)
        location_id = checker.ident(entry, data, seen)
        wijk = checker.text(entry, data, "wijk")
        if wijk and wijk not in wijk_names:
            checker.problem(entry, "wijk", f"'{wijk}' is not one of the wijken ({', '.join(sorted(wijk_names))})")
        locations[location_id] = Location(location_id, checker.text(entry, data, "name"),
                                          checker.text(entry, data, "address"), wijk)

    def areas(entry: str, field: str, values: list[Any]) -> tuple[str, ...]:
        result = []
        for value in values:
            area = str(value).strip()
            if area not in wijk_names and area not in (CITY, NATIONAL):
                checker.problem(entry, field, f"'{area}' is not a wijk, '{CITY}' or '{NATIONAL}'")
            result.append(area)
        return tuple(result)

    services: list[Service] = []
    seen = set()
    for index, data in enumerate(_section(checker, raw, "services")):
        entry = _entry("services", index, data)
        service_id = checker.ident(entry, data, seen)
        org_id = checker.text(entry, data, "organization")
        if org_id and org_id not in organizations:
            checker.problem(entry, "organization", f"'{org_id}' is not an organization id")
        served = []
        for value in checker.items(entry, data, "intents"):
            if value not in intents:
                checker.problem(entry, "intents", f"'{value}' is not an intent of shared/taxonomy.yml")
            served.append(str(value))
        service_areas = areas(entry, "service_areas", checker.items(entry, data, "service_areas"))
        places = []
        for value in checker.items(entry, data, "locations", required=False):
            spec = value if isinstance(value, dict) else {"location": value}
            location_id = str(spec.get("location", "")).strip()
            if location_id not in locations:
                checker.problem(entry, "locations", f"'{location_id}' is not a location id")
                continue
            place_areas = areas(entry, "locations.service_areas", spec.get("service_areas") or [])
            place_phones = checker.phones(entry, spec.get("phones") or [])
            places.append(ServiceAtLocation(locations[location_id], place_areas, place_phones))
        phones = checker.phones(entry, checker.items(entry, data, "phones"))
        always_open = checker.flag(entry, data, "always_open")
        schedules = _schedules(checker, entry, checker.items(entry, data, "schedules", required=False))
        if not always_open and not schedules:
            checker.problem(entry, "schedules", "is missing (or set always_open: true)")
        rank = data.get("rank", 100)
        if not isinstance(rank, int) or isinstance(rank, bool):
            checker.problem(entry, "rank", "must be a whole number")
            rank = 100
        callback_days = data.get("callback_days", 2)
        if not isinstance(callback_days, int) or isinstance(callback_days, bool) or not 1 <= callback_days <= 20:
            checker.problem(entry, "callback_days", "must be a whole number of working days from 1 to 20")
            callback_days = 2
        description = checker.text(entry, data, "description")
        services.append(Service(
            id=service_id,
            organization=organizations.get(org_id) or Organization(org_id or "?", org_id or "?"),
            name=checker.text(entry, data, "name"),
            description=description,
            intents=tuple(served),
            service_areas=service_areas,
            phones=phones,
            rank=rank,
            locations=tuple(places),
            schedules=schedules,
            always_open=always_open,
            open_on_holidays=checker.flag(entry, data, "open_on_holidays"),
            phone_note=checker.text(entry, data, "phone_note", required=False),
            eligibility=checker.text(entry, data, "eligibility", required=False),
            languages=tuple(str(lang) for lang in checker.items(entry, data, "languages", required=False)),
            referral_team=checker.text(entry, data, "referral_team", required=False),
            callback_days=callback_days,
        ))

    if checker.problems:
        raise DirectoryError(path, checker.problems)
    return Directory(
        municipality=name, timezone=tz, phone=phone, wijken=tuple(wijken), organizations=organizations,
        locations=locations, services=tuple(services), demo=bool(raw.get("demo")), source=str(path),
        _by_postcode=by_postcode,
    )


def load_directory(path: Path | str) -> Directory:
    path = Path(path)
    try:
        raw = read_yaml(path)
    except FileNotFoundError:
        raise DirectoryError(path, [f"{path.name}: the file does not exist"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise DirectoryError(path, [f"{path.name}: not valid YAML{where}"]) from None
    return parse_directory(raw, path)
