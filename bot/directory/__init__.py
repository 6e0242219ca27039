"""The service directory: load and check directory/services.yml, look up the service for a
need, and tell whether it is open (Europe/Amsterdam, Dutch public holidays).

    directory = default_directory()
    found = route(directory, "debt_bills", "Noord")
    status(found.service, directory.timezone).open_now

The file is chosen by VOORDEUR_DIRECTORY (default: directory/services.yml in the project).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.config import DEFAULT_DIRECTORY, Settings
from bot.directory.area import dutch_places, place_elsewhere, postcodes_in
from bot.directory.holidays import easter_sunday, holiday_name, public_holidays
from bot.directory.hours import Status, format_moment, format_week, status
from bot.directory.load import DirectoryError, load_directory, parse_directory
from bot.directory.lookup import Route, find_wijk, match_wijk, needs_location, route, wijk_for_postcode
from bot.directory.model import Directory, Location, Organization, Service, ServiceAtLocation, Wijk

DEFAULT_PATH = DEFAULT_DIRECTORY

__all__ = [
    "DEFAULT_PATH",
    "Directory",
    "DirectoryError",
    "Location",
    "Organization",
    "Route",
    "Service",
    "ServiceAtLocation",
    "Status",
    "Wijk",
    "default_directory",
    "directory_path",
    "dutch_places",
    "easter_sunday",
    "find_wijk",
    "format_moment",
    "format_week",
    "holiday_name",
    "load_directory",
    "match_wijk",
    "needs_location",
    "parse_directory",
    "place_elsewhere",
    "postcodes_in",
    "public_holidays",
    "route",
    "status",
    "wijk_for_postcode",
]


def directory_path() -> Path:
    return Settings.load().directory_path


@cache
def _cached(path: str, mtime: float) -> Directory:
    return load_directory(path)


def default_directory(path: Path | None = None) -> Directory:
    """The directory at `path` (default: the configured one), read again when the file changes."""
    path = path or directory_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _cached(str(path), mtime)
