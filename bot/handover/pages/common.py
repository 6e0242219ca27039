"""What every console page shares: templates, the signed-in worker's name as residents see it,
the access log, and small display helpers."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.store.models import AccessLog, User, utcnow
from bot.switchboard import Switchboard
from bot.taxonomy import contract_intent, themes_by_intent

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
MAX_REPLY = 4096
THEME_NL = {"schulden": "Geldzorgen", "zorg": "Zorg", "overlast": "Overlast", "crisis": "Crisis", "gesprek": "Gesprek"}
STATE_NL = {"bot": "bij de assistent", "waiting_for_human": "wacht op een mens",
            "with_human": "bij een medewerker", "closed": "afgesloten"}


def switchboard_of(request: Request) -> Switchboard:
    return request.app.state.switchboard


def render(name: str, status: int = 200, **context) -> HTMLResponse:
    context.setdefault("THEME_NL", THEME_NL)
    context.setdefault("STATE_NL", STATE_NL)
    return HTMLResponse(TEMPLATES.get_template(name).render(**context), status_code=status)


def minutes_since(moment) -> int:
    return 0 if moment is None else max(0, int((utcnow() - moment).total_seconds() // 60))


def theme_of(intent: str | None) -> str:
    """The theme of any stored intent; "gesprek" for none or an unknown one (unlike
    taxonomy.theme_of, which knows only contract intents)."""
    return themes_by_intent().get(contract_intent(intent or ""), "gesprek")


def author_of(user: User) -> str:
    """How a worker is named to residents: first name and team."""
    return f"{user.display_name} ({user.team})"


async def log_access(db, user: User, conversation_id: int, action: str, reason: str) -> None:
    db.add(AccessLog(user_id=user.id, username=user.username, conversation_id=conversation_id,
                     action=action, reason=reason[:120]))
