"""Resident-facing wording, read from domain.yml so that all of it lives in one data file.

The gateway speaks for itself only where Rasa cannot (crisis net, Rasa down, handover); it
uses the same `utter_*` responses the assistant uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


from bot.config import PROJECT_ROOT
from bot.yamlfile import read_yaml

DOMAIN_PATH = PROJECT_ROOT / "domain.yml"


@dataclass(frozen=True)
class Response:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@cache
def load_responses(path: Path = DOMAIN_PATH) -> dict[str, Response]:
    domain = read_yaml(path)
    responses: dict[str, Response] = {}
    for name, variants in (domain.get("responses") or {}).items():
        # The gateway uses the unconditional variant (the last one when several exist).
        plain = [v for v in variants if "condition" not in v] or variants
        chosen = plain[-1]
        responses[name] = Response(text=chosen.get("text", ""), buttons=list(chosen.get("buttons") or []))
    return responses


def response(name: str) -> Response:
    return load_responses()[name]


@cache
def _language_variants(path: Path = DOMAIN_PATH) -> dict[tuple[str, str], Response]:
    domain = read_yaml(path)
    found: dict[tuple[str, str], Response] = {}
    for name, variants in (domain.get("responses") or {}).items():
        for variant in variants:
            for condition in variant.get("condition") or []:
                if condition.get("type") == "slot" and condition.get("name") == "language":
                    found[(name, condition["value"])] = Response(
                        text=variant.get("text", ""), buttons=list(variant.get("buttons") or [])
                    )
    return found


def response_in(name: str, language: str) -> Response | None:
    """The variant of a response for the `language` slot (Rasa's conditional variations), if any."""
    return _language_variants().get((name, language))
