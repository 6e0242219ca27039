"""Routing logic as plain functions (no Rasa objects): read a location answer, spot a second
problem, and build the answer that names a service. actions/actions.py wires these to Rasa.

All resident wording comes from domain.yml (bot.responses); this module only fills it in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.directory import Directory, Route, find_wijk, route, format_moment, format_week, needs_location, status
from bot.directory.hours import format_time, local_now
from bot.directory.lookup import wijk_for_postcode
from bot.responses import load_responses
from bot.taxonomy import NEED_THEMES, themes_by_intent

UNKNOWN = "onbekend"  # wijk slot value after "zeg ik liever niet"; also the need log's value

# Answers to "where do you live?" that mean: I don't know, or I'd rather not say.
REFUSALS = (
    "weet ik niet", "weet niet", "geen idee", "liever niet", "zeg ik niet", "niet zeggen",
    "gaat je niks aan", "gaat je niets aan", "maakt niet uit", "anoniem", "vertel ik niet",
    "wil ik niet", "onbekend", "geen zin", "nee", "laat maar", "hoeft niet",
)

# Words that show a problem of another theme in the same message. The value is the intent
# used when the model's ranking has no intent of that theme.
THEME_WORDS: dict[str, dict[str, str]] = {
    "schulden": {
        "schuld": "debt_bills", "rekening": "debt_bills", "incasso": "debt_bills",
        "aanmaning": "debt_bills", "deurwaarder": "debt_bailiff", "beslag": "debt_bailiff",
        "huurachterstand": "debt_rent", "huurschuld": "debt_rent", "uit mijn huis": "debt_rent",
        "energierekening": "debt_energy", "afgesloten": "debt_energy", "uitkering": "debt_benefits",
        "toeslag": "debt_benefits", "bijstand": "debt_benefits", "voedselbank": "debt_food",
        "geen geld": "debt_bills", "geen eten": "debt_food",
    },
    "zorg": {
        "mantelzorg": "care_caregiver", "eenzaam": "care_loneliness", "somber": "care_mental",
        "depress": "care_mental", "burn-out": "care_mental", "huishoud": "care_home_support",
        "rolstoel": "care_home_support", "scootmobiel": "care_home_support",
        "traplift": "care_home_support", "opvoed": "care_youth", "gepest": "care_youth",
        "mijn zoon": "care_youth", "mijn dochter": "care_youth",
    },
    "overlast": {
        "buren": "nuisance_neighbours", "buurman": "nuisance_neighbours",
        "buurvrouw": "nuisance_neighbours", "herrie": "nuisance_noise", "lawaai": "nuisance_noise",
        "geluidsoverlast": "nuisance_noise", "harde muziek": "nuisance_noise",
        "hangjongeren": "nuisance_youth", "jongeren": "nuisance_youth", "afval": "nuisance_waste",
        "vuilnis": "nuisance_waste", "zwerfvuil": "nuisance_waste", "ratten": "nuisance_waste",
        "drugs": "nuisance_drugs", "dealen": "nuisance_drugs", "dealer": "nuisance_drugs",
        "lachgas": "nuisance_drugs", "hennep": "nuisance_drugs", "wiet": "nuisance_drugs",
    },
}


def need_intents() -> set[str]:
    return {intent for intent, theme in themes_by_intent().items() if theme in NEED_THEMES}


# ---- wording ---------------------------------------------------------------------------------

@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def say(name: str, **values: Any) -> Reply:
    """A domain.yml response with its {placeholders} filled in (text and button payloads)."""
    response = load_responses()[name]

    def fill(template: str) -> str:
        for key, value in values.items():
            template = template.replace("{" + key + "}", str(value))
        return template

    return Reply(fill(response.text), [{"title": fill(b["title"]), "payload": fill(b["payload"])}
                                       for b in response.buttons])


def topic(intent: str) -> str:
    return say(f"utter_topic_{intent}").text


# ---- reading the resident ------------------------------------------------------------------

@dataclass(frozen=True)
class LocationAnswer:
    wijk: str | None  # None: the resident does not know or would rather not say


def read_location(directory: Directory, text: str, entity_wijk: str | None = None) -> LocationAnswer | None:
    """The wijk in an answer to 'where do you live?', a refusal, or None (not an answer)."""
    if entity_wijk == UNKNOWN:
        return LocationAnswer(None)
    if entity_wijk in directory.wijk_names():
        return LocationAnswer(entity_wijk)
    wijk = find_wijk(directory, text)
    if wijk:
        return LocationAnswer(wijk)
    lowered = " ".join(re.findall(r"[a-zà-ÿ-]+", (text or "").lower()))
    if any(re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", lowered) for phrase in REFUSALS):
        return LocationAnswer(None)
    return None


def wijk_in_message(directory: Directory, text: str, entity_wijk: str | None) -> str | None:
    """A wijk named plainly in a need message (postcode or exact name; no typo guessing)."""
    if entity_wijk in directory.wijk_names():
        return entity_wijk
    return wijk_for_postcode(directory, text)


def second_need(text: str, intent: str, ranking: list[dict[str, Any]]) -> str | None:
    """A problem of another theme named in the same message ('schulden en herrie bij de buren')."""
    if not text or text.startswith("/"):
        return None
    themes = themes_by_intent()
    first_theme = themes.get(intent)
    lowered = text.lower()
    for theme, words in THEME_WORDS.items():
        if theme == first_theme:
            continue
        hits = [target for word, target in words.items() if re.search(rf"(?<![a-z]){re.escape(word)}", lowered)]
        if not hits:
            continue
        ranked = [name for r in ranking if (name := r.get("name")) is not None and themes.get(name) == theme]
        return ranked[0] if ranked else hits[0]
    return None


# ---- the answer that names a service -------------------------------------------------------

@dataclass
class RouteAnswer:
    short: str  # where to go, the number, open or not: enough to act on
    details: str  # address, opening hours, where the service works, a national line
    outcome: str  # met / no_local_service / out_of_hours

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.short, self.details) if part)


def route_answer(directory: Directory, found: Route, now: datetime | None = None) -> RouteAnswer:
    """The answer that names a service, split into a short part and details given on request."""
    tz = directory.timezone
    now = local_now(tz, now)
    lines: list[str] = []
    details: list[str] = []
    service = found.service
    if service is None:
        lines.append(say("utter_no_local_service", wijk=found.wijk or UNKNOWN).text)
        if found.national:
            lines.append(say("utter_route_national", service=found.national.name,
                             phone=found.national.phones[0]).text)
        lines.append(say("utter_call_municipality", phone=directory.phone).text)
        return RouteAnswer("\n".join(lines), "", "no_local_service")

    if found.wijk is None and needs_location(directory, found.intent):
        lines.append(say("utter_route_city_wide").text)
    lines.append(f"{say('utter_route_service', service=service.name).text} {service.description}")
    phone = say("utter_route_phone", phone=found.phone).text
    lines.append(f"{phone} {service.phone_note}".strip())  # the note says who the number is for
    if found.address:
        details.append(say("utter_route_address", address=found.address).text)
    if found.wijk is None and found.served_wijken:
        details.append(say("utter_route_areas", wijken=dutch_list(found.served_wijken)).text)
    current = status(service, tz, now)
    if current.always_open:
        lines.append(say("utter_route_always_open").text)
    else:
        details.append(say("utter_route_hours", hours=format_week(service)).text)
        if current.open_now and current.closes_at:
            lines.append(say("utter_route_open_now", closes=format_time(current.closes_at)).text)
        else:
            if current.holiday:
                lines.append(say("utter_route_holiday", holiday=current.holiday).text)
            if current.next_opening:
                lines.append(say("utter_route_closed", next_opening=format_moment(current.next_opening, now)).text)
    if found.national and found.national.id != service.id:
        details.append(say("utter_route_national", service=found.national.name,
                           phone=found.national.phones[0]).text)
    return RouteAnswer("\n".join(lines), "\n".join(details), "met" if current.open_now else "out_of_hours")


def elsewhere_answer(directory: Directory, intent: str | None, place: str) -> str:
    """For a resident of another municipality: say so, and give only what works everywhere
    (the national line for this need, then Geldfit, 113, Veilig Thuis, 14 + netnummer)."""
    own = directory.municipality.removeprefix("Gemeente ").strip()
    lines = [say("utter_elsewhere", place=place, municipality=own).text]
    everywhere = say("utter_elsewhere_everywhere").text
    national = route(directory, intent, None).national if intent else None
    if national and national.phones and national.phones[0] not in everywhere:
        lines.append(say("utter_route_national", service=national.name, phone=national.phones[0]).text)
    lines.append(everywhere)
    return "\n".join(lines)


def dutch_list(items: tuple[str, ...] | list[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def location_buttons(directory: Directory) -> list[dict[str, str]]:
    buttons = [{"title": name, "payload": f'/inform_location{{"wijk": "{name}"}}'}
               for name in directory.wijk_names()]
    buttons.append({"title": say("utter_button_location_unknown").text,
                    "payload": f'/inform_location{{"wijk": "{UNKNOWN}"}}'})
    return buttons


def need_fields(intent: str, wijk: str | None, outcome: str) -> dict[str, str]:
    """A need event for the gateway: closed fields only (no text, no chat id, no time)."""
    return {"intent": intent, "wijk": wijk or UNKNOWN, "outcome": outcome}
