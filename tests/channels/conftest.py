"""Gateways with Telegram or WhatsApp switched on, pointed at the fake servers in tests/fakes."""

from __future__ import annotations

import pytest

from tests.conftest import running_gateway
from tests.fakes.graph_server import running_fake_graph
from tests.fakes.server import wait_until
from tests.fakes.telegram_server import running_fake_telegram


def telegram_env(fake, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url, **extra}


@pytest.fixture
async def fake_telegram():
    async with running_fake_telegram() as fake:
        yield fake


@pytest.fixture
async def fake_graph():
    async with running_fake_graph() as fake:
        yield fake


@pytest.fixture
async def telegram_gateway(tmp_path, rasa_server, action_server, fake_telegram):
    """A gateway whose Telegram channel polls the fake Bot API server."""
    async with running_gateway(tmp_path, rasa_server.url, action_server.url, telegram_env(fake_telegram)) as gw:
        await fake_telegram.wait_for_call("getUpdates")  # polling has begun
        yield gw


@pytest.fixture
async def whatsapp_gateway(tmp_path, rasa_server, action_server, fake_graph):
    async with running_gateway(tmp_path, rasa_server.url, action_server.url, fake_graph.env()) as gw:
        yield gw


__all__ = ["telegram_env", "wait_until"]
