"""Look up the service for a need: by intent and the resident's wijk (or PC4 postcode).

Rule: among the local services that serve the intent, the lowest `rank` that covers the wijk
wins (file order breaks ties). National lines are never the first choice; when no local
service covers the wijk, the route says so (`service is None`) and names the national line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.directory.model import Directory, Service, ServiceAtLocation

POSTCODE = re.compile(r"(?<!\d)([1-9]\d{3})(?:\s?[a-zA-Z]{2})?(?!\d)")
WORD = re.compile(r"[a-zà-ÿ]+")


@dataclass(frozen=True)
class Route:
    intent: str
    wijk: str | None
    service: Service | None  # None: no local service for this need in this wijk
    place: ServiceAtLocation | None = None
    phone: str = ""
    national: Service | None = None  # a national line that serves this need too

    @property
    def address(self) -> str | None:
        return self.place.location.address if self.place else None

    @property
    def served_wijken(self) -> tuple[str, ...]:
        """Wijken the chosen service works in, when it does not cover the whole city."""
        if self.service is None or self.service.city_wide:
            return ()
        return self.service.service_areas


def local_services(directory: Directory, intent: str) -> list[Service]:
    found = [s for s in directory.services if intent in s.intents and not s.national]
    return sorted(found, key=lambda s: s.rank)  # sorted() is stable: file order breaks ties


def national_service(directory: Directory, intent: str) -> Service | None:
    return next((s for s in directory.services if intent in s.intents and s.national), None)


def route(directory: Directory, intent: str, wijk: str | None) -> Route:
    """The service for this need here. wijk None: the resident did not say; the city-wide option."""
    candidates = local_services(directory, intent)
    national = national_service(directory, intent)
    if wijk is None:
        chosen = next((s for s in candidates if s.city_wide), candidates[0] if candidates else None)
    else:
        chosen = next((s for s in candidates if s.covers(wijk)), None)
    if chosen is None:
        return Route(intent, wijk, None, None, directory.phone, national)
    place = chosen.at(wijk)
    phone = place.phones[0] if place and place.phones else chosen.phones[0]
    return Route(intent, wijk, chosen, place, phone, national)


def _key(found: Route) -> tuple:
    return (found.service.id if found.service else None,
            found.place.location.id if found.place else None, found.phone)


def needs_location(directory: Directory, intent: str) -> bool:
    """True when the answer differs between wijken, so it is worth asking where someone lives."""
    answers = {_key(route(directory, intent, wijk)) for wijk in directory.wijk_names()}
    return len(answers) > 1


def wijk_for_postcode(directory: Directory, text: str) -> str | None:
    """The wijk of the first PC4 in the text ('1034', '1034 AB', '1034ab'), if it is ours."""
    for match in POSTCODE.finditer(text or ""):
        wijk = directory._by_postcode.get(match.group(1))
        if wijk:
            return wijk
    return None


def _names(directory: Directory) -> dict[str, str]:
    names = {}
    for wijk in directory.wijken:
        names[wijk.name.lower()] = wijk.name
        for alias in wijk.aliases:
            names[alias.lower()] = wijk.name
    return names


def match_wijk(directory: Directory, text: str) -> str | None:
    """A wijk named in the text, typos allowed ('oosterprak', 'molewijk', 'nord')."""
    names = _names(directory)
    lowered = (text or "").lower()
    words = WORD.findall(lowered)
    # Exact names first (also names of two words, like 'de molenwijk').
    for name, wijk in sorted(names.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<![a-zà-ÿ]){re.escape(name)}(?![a-zà-ÿ])", lowered):
            return wijk
    best: tuple[float, str] | None = None
    for word in words:
        if len(word) < 4:
            continue
        for name, wijk in names.items():
            if " " in name:
                continue
            ratio = difflib.SequenceMatcher(None, word, name).ratio()
            needed = 0.85 if len(name) <= 5 else 0.8
            if ratio >= needed and (best is None or ratio > best[0]):
                best = (ratio, wijk)
    return best[1] if best else None


def find_wijk(directory: Directory, text: str) -> str | None:
    """A postcode wins over a name; None when the text names no wijk of ours."""
    return wijk_for_postcode(directory, text) or match_wijk(directory, text)
