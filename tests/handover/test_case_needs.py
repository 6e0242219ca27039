"""Issue 13.3: the worker sees every need the assistant heard in a conversation, in Dutch,
also the ones the resident never got to (real Rasa, action server, gateway and console)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from bot.taxonomy import intent_label
from bot.store.models import Conversation
from tests.handover.conftest import login

pytestmark = pytest.mark.rasa


async def needs_shown(staff, conversation_id: int) -> str:
    """The 'Herkende vragen' list of the worker's case page."""
    sanne = await login(staff, "sanne")
    page = (await sanne.get(f"/console/conversations/{conversation_id}", headers={"accept": "text/html"})).text
    return re.search(r'id="needs-h".*?</ul>', page, re.S).group(0)


async def test_a_person_sees_all_needs_of_a_tangled_story(staff):
    session = "r-" + uuid.uuid4().hex[:12]
    await staff.say(session, "de deurwaarder komt morgen, mijn uitkering is gestopt en mijn zoon spijbelt al weken")
    body = await staff.say(session, "ik wil met een medewerker praten")
    assert body["state"] == "waiting_for_human"
    async with staff.switchboard.sessions() as db:
        conversation = (await db.scalars(select(Conversation).order_by(Conversation.id.desc()))).first()
    assert {"debt_bailiff", "debt_benefits", "care_youth"} <= set(conversation.needs)

    shown = await needs_shown(staff, conversation.id)
    for intent in ("debt_bailiff", "debt_benefits", "care_youth"):
        assert intent_label(intent) in shown
    assert "debt_benefits" not in shown  # labels, not intent codes


async def test_only_need_intents_are_kept_once_in_the_order_heard():
    from bot.switchboard import needs_heard

    assert needs_heard(["debt_rent"], ["debt_food", "debt_rent", "greet", 3, "care_youth"]) == [
        "debt_rent", "debt_food", "care_youth"]
    assert needs_heard(None, []) == []


async def test_asking_for_a_person_about_a_need_keeps_the_need_for_the_worker(staff):
    body = await staff.say("r-" + uuid.uuid4().hex[:12], "ik wil iemand spreken over mijn schulden")
    assert body["state"] == "waiting_for_human"
    async with staff.switchboard.sessions() as db:
        conversation = (await db.scalars(select(Conversation).order_by(Conversation.id.desc()))).first()
    shown = await needs_shown(staff, conversation.id)
    assert any(intent_label(intent) in shown for intent in ("debt_bills", "debt_bailiff", "debt_rent"))


async def test_a_need_chosen_by_button_is_a_need_the_worker_sees(staff):
    """Geldzorgen -> Huur in the menu: the need was never typed, yet the case (and a call-back
    summary built from it) names the rent arrears, not just "hulp"."""
    session = "r-" + uuid.uuid4().hex[:12]
    await staff.say(session, '/choose_theme{"theme": "schulden"}')
    await staff.say(session, "/debt_rent")
    async with staff.switchboard.sessions() as db:
        conversation = (await db.scalars(select(Conversation).order_by(Conversation.id.desc()))).first()
    assert conversation.needs == ["debt_rent"]
