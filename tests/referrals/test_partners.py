"""The partners file, and the running gateway delivering an accepted referral to a partner by itself."""

from __future__ import annotations

import pytest

from bot.directory.load import load_directory
from bot.referrals.lifecycle import accept, offer
from bot.referrals.models import Referral
from bot.referrals.partners import PartnerFileError, load_partners
from bot.store.models import Conversation
from tests.conftest import dead_url, running_gateway
from tests.fakes.server import serve, wait_until
from tests.referrals.conftest import DIRECTORY
from tests.referrals.test_webhook import PARTNER_SECRET, TEAM, partner_app

GOOD_SECRET = PARTNER_SECRET


def write(tmp_path, text: str):
    path = tmp_path / "partners.yml"
    path.write_text(text)
    return path


def test_no_file_configured_means_no_webhooks():
    assert load_partners(None) == {} and load_partners("") == {}


def test_a_partners_file_is_read(tmp_path):
    path = write(tmp_path, f"partners:\n  - team: {TEAM}\n    url: https://p.example/r\n    secret: {GOOD_SECRET}\n")
    partner = load_partners(path)[TEAM]
    assert partner.url == "https://p.example/r" and partner.secret == GOOD_SECRET


@pytest.mark.parametrize("entry, field", [
    (f"url: https://p.example/r\n    secret: {GOOD_SECRET}", "'team'"),
    (f"team: {TEAM}\n    url: http://p.example/r\n    secret: {GOOD_SECRET}", "'url' must be https"),
    (f"team: {TEAM}\n    url: https://p.example/r\n    secret: short", "'secret'"),
])
def test_a_bad_entry_is_named_without_showing_the_secret(tmp_path, entry, field):
    with pytest.raises(PartnerFileError) as error:
        load_partners(write(tmp_path, f"partners:\n  - {entry}\n"))
    assert field in str(error.value) and GOOD_SECRET not in str(error.value)


async def test_the_running_gateway_delivers_an_accepted_referral_to_its_partner(tmp_path, monkeypatch):
    received: list[dict] = []
    async with serve(partner_app(received)) as url:
        partners = write(tmp_path, f"partners:\n  - team: {TEAM}\n    url: {url}/referrals\n"
                                   f"    secret: {PARTNER_SECRET}\n")
        monkeypatch.setenv("VOORDEUR_REFERRAL_PARTNERS", str(partners))
        monkeypatch.setenv("VOORDEUR_RETRY_INTERVAL", "0.1")  # background rounds: not every 2 s here
        async with running_gateway(tmp_path, dead_url()) as gw:
            sessions = gw.switchboard.sessions
            async with sessions.begin() as db:
                conversation = Conversation(channel="telegram", resident="q" * 32)
                db.add(conversation)
                await db.flush()
                directory = load_directory(DIRECTORY)
                referral = await offer(db, directory, conversation.id, "schuldhulp", wijk="Noord")
                await accept(db, directory, gw.switchboard.secret, referral, phone="0612345678",
                             summary="Schulden.")

            async def seen() -> bool:
                async with sessions() as db:
                    return (await db.get(Referral, referral.id)).status == "seen"

            await wait_until(seen, timeout=20)  # the background loop delivered it and took the receipt
    assert len(received) == 1
    assert received[0]["phone"] == "+31612345678" and received[0]["summary"] == "Schulden."
