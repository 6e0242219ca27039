"""Multi-turn conversations written as data (tests/conversations/*.yml), run against the real
Rasa server, action server and gateway over the web chat API, with the desk open and closed.

The file format and the checks are described in tests/conversations/README.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import clock
from bot.needs.models import NeedEvent
from bot.store.models import Conversation, Message
from bot.taxonomy import contract_intent, theme_of
from bot.yamlfile import read_yaml
from tests.conftest import DESK_CLOSED, DESK_OPEN, running_gateway
from tests.conversations.checks import Turn, problems

HERE = Path(__file__).parent
DESK_MOMENTS = {"open": DESK_OPEN, "closed": DESK_CLOSED}
TURN_KEYS = {"say", "press", "expect"}
CONVERSATION_KEYS = {"name", "issue", "desk", "turns", "note", "pending"}


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    desk: str
    turns: list[dict[str, Any]]
    pending: str | None = None  # why this case cannot pass yet (whose work it waits for)


def load_cases(folder: Path = HERE) -> list[Case]:
    """Every conversation in every YAML file, once per desk setting it asks for."""
    cases: list[Case] = []
    names: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        for item in read_yaml(path) or []:
            where = f"{path.name}: {item.get('name')!r}"
            if set(item) - CONVERSATION_KEYS:
                raise ValueError(f"{where}: unknown keys {sorted(set(item) - CONVERSATION_KEYS)}")
            if item["name"] in names:
                raise ValueError(f"{where}: name used twice")
            names.add(item["name"])
            turns = item.get("turns") or []
            for turn in turns:
                if set(turn) - TURN_KEYS or len({"say", "press"} & set(turn)) != 1:
                    raise ValueError(f"{where}: each turn has one of say/press, and optionally expect")
            desk = item.get("desk", "both")
            if desk not in ("open", "closed", "both"):
                raise ValueError(f"{where}: desk must be open, closed or both")
            pending = item.get("pending") or {}
            if set(pending) - {"open", "closed"}:
                raise ValueError(f"{where}: pending maps a desk setting (open, closed) to the reason")
            for setting in (("open", "closed") if desk == "both" else (desk,)):
                cases.append(Case(path.stem, item["name"], setting, turns, pending.get(setting)))
    return cases


CASES = load_cases()


@pytest.fixture(scope="module")
async def conversation_gateway(tmp_path_factory, rasa_server, action_server):
    async with running_gateway(tmp_path_factory.mktemp("conversations"), rasa_server.url,
                               action_server.url) as gateway:
        yield gateway


def theme_or_none(intent: str | None) -> str | None:
    try:
        return theme_of(intent) if intent else None
    except KeyError:  # nlu_fallback and other non-contract names have no theme
        return None


async def last_inbound(gateway, session: str) -> Message | None:
    resident = gateway.switchboard.pseudonym("webchat", session)
    async with gateway.switchboard.sessions() as db:
        return await db.scalar(
            select(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.resident == resident, Message.direction == "in")
            .order_by(Message.id.desc())
            .limit(1)
        )


async def need_intents_since(gateway, first_id: int) -> list[str]:
    async with gateway.switchboard.sessions() as db:
        return list(await db.scalars(select(NeedEvent.intent).where(NeedEvent.id > first_id)))


def _marks(case: Case) -> list[pytest.MarkDecorator]:
    # strict: the day the awaited work lands, the case passes and its `pending` must go.
    return [pytest.mark.xfail(reason=case.pending, strict=True)] if case.pending else []


@pytest.mark.rasa
@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=_marks(c)) for c in CASES], ids=[f"{c.file}:{c.name}:{c.desk}" for c in CASES]
)
async def test_conversation(conversation_gateway, case: Case):
    gateway = conversation_gateway
    session = "conv-" + uuid.uuid4().hex[:16]
    async with gateway.switchboard.sessions() as db:
        need_start = await db.scalar(select(func.coalesce(func.max(NeedEvent.id), 0)))
    offered: set[str] = set()
    failures: list[str] = []
    with clock.frozen(DESK_MOMENTS[case.desk]):
        for number, spec in enumerate(case.turns, 1):
            said = spec.get("say") if "say" in spec else spec["press"]
            if "press" in spec and said not in offered:
                failures.append(f"turn {number}: button {said!r} was never offered ({sorted(offered)})")
                break
            body = await gateway.say(session, str(said))
            offered |= {b["payload"] for m in body["messages"] for b in m.get("buttons") or []}
            stored = await last_inbound(gateway, session)
            stored_intent = stored.intent if stored else None
            turn = Turn(
                said=str(said),
                messages=body["messages"],
                state=body["state"],
                desk_open=case.desk == "open",
                intent=contract_intent(stored_intent) if stored_intent else None,
                theme=theme_or_none(stored_intent),
                needs=await need_intents_since(gateway, need_start),
            )
            for problem in problems(turn, spec.get("expect") or {}):
                replies = " | ".join(m.get("text") or "" for m in body["messages"])
                failures.append(f"turn {number} ({said!r}): {problem}\n      replies: {replies}")
    assert not failures, f"{case.file}:{case.name} (desk {case.desk}):\n  " + "\n  ".join(failures)
