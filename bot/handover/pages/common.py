"""What every console page shares: templates with Dutch labels and local times, the signed-in
worker's name as residents see it, and small display helpers."""

from __future__ import annotations

from datetime import datetime, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.directory import Directory, default_directory
from bot.lifecycle import State
from bot.store.models import User, utcnow
from bot.switchboard import Switchboard
from bot.taxonomy import contract_intent, intent_label, theme_label, themes_by_intent

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
MAX_REPLY = 4096
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
STATE_NL = {State.BOT: "bij de assistent", State.WAITING: "wacht op een medewerker",
            State.WITH_HUMAN: "bij een medewerker", State.CLOSED: "afgesloten"}
ROLE_NL = {"worker": "medewerker", "manager": "manager", "admin": "beheerder"}
CHANNEL_NL = {"webchat": "webchat", "telegram": "Telegram", "whatsapp": "WhatsApp"}
REASON_NL = {"crisis": "crisis", "ask_human": "vroeg om een medewerker", "not_understood": "assistent begreep het niet",
             "transfer": "overgedragen"}
ACTION_NL = {"open": "gelezen", "claim": "opgepakt", "reply": "antwoord gestuurd", "hand_back": "terug naar assistent",
             "transfer": "overgedragen", "close": "afgesloten", "note": "notitie geschreven",
             "referral_open": "terugbelverzoek gelezen", "referral_phone": "telefoonnummer getoond",
             "referral_result": "resultaat terugbelverzoek"}
# Minutes of waiting after which the queue shows a case in amber, then red.
WAIT_AMBER, WAIT_RED = 5, 15


def switchboard_of(request: Request) -> Switchboard:
    return request.app.state.switchboard


def theme_of(intent: str | None) -> str:
    """The theme of any stored intent; "gesprek" for none or an unknown one (unlike
    taxonomy.theme_of, which knows only contract intents)."""
    return themes_by_intent().get(contract_intent(intent or ""), "gesprek")


def local(moment: datetime | None, fmt: str = "%d-%m %H:%M") -> str:
    """A stored UTC time as a clock in the Netherlands shows it."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TIME).strftime(fmt)


def minutes_since(moment) -> int:
    return 0 if moment is None else max(0, int((utcnow() - moment).total_seconds() // 60))


def wait_level(minutes: int) -> str:
    return "wait-red" if minutes >= WAIT_RED else "wait-amber" if minutes >= WAIT_AMBER else "wait-ok"


def directory_of(request: Request) -> Directory:
    """The service directory this gateway was started with (its settings name the file)."""
    return default_directory(switchboard_of(request).settings.directory_path)


def handles_referrals(user: User, directory: Directory | None = None) -> bool:
    """A worker of a team that calls residents back (a directory service's referral_team) has the
    "Terugbelverzoeken" page; everyone else gets 404 there and sees no link. The pages pass the
    gateway's directory; the menu link (templates have no request) uses the configured one."""
    return user.role == "worker" and user.team in (directory or default_directory()).referral_teams()


def author_of(user: User) -> str:
    """How a worker is named to residents: first name and team."""
    return f"{user.display_name} ({user.team})"


TEMPLATES.filters["local"] = local
TEMPLATES.globals.update(intent_label=intent_label, theme_label=theme_label, theme_of=theme_of, STATE_NL=STATE_NL,
                         ROLE_NL=ROLE_NL, CHANNEL_NL=CHANNEL_NL, REASON_NL=REASON_NL, ACTION_NL=ACTION_NL,
                         wait_level=wait_level, handles_referrals=handles_referrals)


def render(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**context), status_code=status)
