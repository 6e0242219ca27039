"""Which referral teams take referrals by webhook: a secrets file, not the directory.

VOORDEUR_REFERRAL_PARTNERS names a YAML file (keep it owner-only, like any secret):

    partners:
      - team: schuldhulp-terugbel      # a referral_team from directory/services.yml
        url: https://partner.example/voordeur/referrals
        secret: <at least 32 characters, one per partner>

No variable: no partner gets webhooks (teams work in the console).
"""

from __future__ import annotations

from pathlib import Path


from bot.referrals.webhook import Partner
from bot.yamlfile import read_yaml

MIN_SECRET_LENGTH = 32


class PartnerFileError(ValueError):
    """The partners file is not usable; the message names the entry and field, never a secret."""


def load_partners(path: Path | str | None) -> dict[str, Partner]:
    """Team -> Partner from the file, or {} when no file is configured."""
    if not path:
        return {}
    raw = read_yaml(Path(path)) or {}
    entries = raw.get("partners") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise PartnerFileError(f"{path}: needs a list 'partners'")
    partners: dict[str, Partner] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise PartnerFileError(f"{path}: partners[{index}] must be a mapping")
        team, url, secret = (str(entry.get(field) or "").strip() for field in ("team", "url", "secret"))
        if not team or team in partners:
            raise PartnerFileError(f"{path}: partners[{index}]: 'team' is missing or used twice")
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise PartnerFileError(f"{path}: partners[{index}] ({team}): 'url' must be https")
        if len(secret) < MIN_SECRET_LENGTH:
            raise PartnerFileError(f"{path}: partners[{index}] ({team}): 'secret' needs {MIN_SECRET_LENGTH}+ characters")
        partners[team] = Partner(team, url, secret)
    return partners
