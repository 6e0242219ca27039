"""The service directory as plain data: wijken, organizations, locations, services, hours.

Shaped after Open Referral HSDS 3.0; `intents` and `rank` on a service are Voordeur's
extension. Built by `bot.directory.load`, which checks every field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo

CITY = "city"  # service area: every wijk of the municipality
NATIONAL = "nederland"  # service area: a national line, not a local service
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # HSDS byday codes, Monday first


@dataclass(frozen=True)
class Wijk:
    name: str
    postcodes: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    national: bool = False
    description: str = ""
    website: str = ""


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    address: str
    wijk: str


@dataclass(frozen=True)
class Schedule:
    """One weekly opening slot: on these days, from opens_at until closes_at (local time)."""

    days: tuple[int, ...]  # 0 = Monday
    opens_at: time
    closes_at: time


@dataclass(frozen=True)
class ServiceAtLocation:
    location: Location
    wijken: tuple[str, ...]  # wijken this location serves; empty = all the service serves
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    id: str
    organization: Organization
    name: str
    description: str
    intents: tuple[str, ...]
    service_areas: tuple[str, ...]  # wijk names, or (CITY,), or (NATIONAL,)
    phones: tuple[str, ...]
    rank: int = 100
    locations: tuple[ServiceAtLocation, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    always_open: bool = False
    open_on_holidays: bool = False
    phone_note: str = ""
    eligibility: str = ""
    languages: tuple[str, ...] = ()
    referral_team: str = ""  # the partner team that calls residents back (warm handover); "" = none
    callback_days: int = 2  # working days the team has to call back after the resident's consent

    @property
    def national(self) -> bool:
        return NATIONAL in self.service_areas or (self.organization.national and CITY not in self.service_areas)

    @property
    def city_wide(self) -> bool:
        return CITY in self.service_areas

    def covers(self, wijk: str) -> bool:
        return self.city_wide or wijk in self.service_areas

    def at(self, wijk: str | None) -> ServiceAtLocation | None:
        """The location that serves this wijk (the first one when the wijk is unknown)."""
        if not self.locations:
            return None
        if wijk is None:
            return self.locations[0] if len(self.locations) == 1 else None
        for place in self.locations:
            if not place.wijken or wijk in place.wijken:
                return place
        return None


@dataclass(frozen=True)
class Directory:
    municipality: str
    timezone: ZoneInfo
    phone: str
    wijken: tuple[Wijk, ...]
    organizations: dict[str, Organization]
    locations: dict[str, Location]
    services: tuple[Service, ...]
    demo: bool = False
    source: str = ""
    _by_postcode: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def wijk_names(self) -> list[str]:
        return [w.name for w in self.wijken]

    def service(self, service_id: str) -> Service:
        return next(s for s in self.services if s.id == service_id)

    def referral_teams(self) -> set[str]:
        """The partner teams that call residents back (the console's "Terugbelverzoeken" queues)."""
        return {s.referral_team for s in self.services if s.referral_team}
