"""The gateway's ASGI app: channels, health, and the background worker that retries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels import build_channels
from bot.config import Settings, require_strong_secrets
from bot.directory import default_directory
from bot.directory.sync import sync_directory
from bot.follow_up import FollowUpQuestion, ask_due
from bot.handover import console
from bot.handover.pages import errors as console_errors
from bot.needs import dashboard
from bot.health import healthz
from bot.language import load_model
from bot.notify import Notifier, RedisNotifier
from bot.rasa import RasaClient
from bot.referrals.dialogue import CallBack
from bot.referrals.partners import load_partners
from bot.referrals.resident_updates import tell_residents
from bot.referrals.webhook import Partner, deliver_due
from bot.retention import delete_expired
from bot.safety.rules import lexicons
from bot.security_headers import SecurityHeaders
from bot.store.db import create_tables, make_engine, make_sessionmaker
from bot.switchboard import Switchboard

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).with_name("static")


async def background_loop(switchboard: Switchboard, partners: dict[str, Partner] | None = None) -> None:
    """Retry what waits for Rasa or a channel, remind waiting residents, and once an hour
    delete conversations past the retention period. Referrals due for a partner's webhook are
    delivered each round (the partner takes each once by its idempotency key); residents hear
    what became of their referral, and due follow-ups are asked (each once, one replica)."""
    last_cleanup = 0.0
    while True:
        try:
            await switchboard.retry_pending()
            await switchboard.remind_waiting()
            if partners:
                await deliver_due(switchboard.sessions, switchboard.secret, partners)
            await tell_residents(switchboard)  # what the service did with their call-back request
            await ask_due(switchboard)  # "is het gelukt om ... te bellen?"
            if time.monotonic() - last_cleanup > 3600:
                expired = await delete_expired(switchboard.sessions, rasa=switchboard.rasa)
                last_cleanup = time.monotonic()
                if expired:
                    log.info("retention: deleted %s", expired)
        except Exception as error:  # keep trying; the database may be back next round
            log.warning("background round failed: %s", type(error).__name__)
        await asyncio.sleep(switchboard.settings.retry_interval)


async def database_unavailable(request, exc) -> JSONResponse:
    """The database is away: say so clearly (503); the sender may retry, nothing half-stored
    is lost (a stored message is answered by the background loop)."""
    log.warning("request failed, database unavailable (%s)", type(exc).__name__)
    return JSONResponse({"error": "unavailable",
                         "detail": "Even geduld. Het lukt nu even niet. Probeer het zo opnieuw."}, status_code=503)


# Libraries that log SQL parameters or request URLs at debug level: residents' words and the
# Telegram bot token must never reach the logs, whatever level an operator sets.
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "httpx", "httpcore", "telegram", "hpack")


def create_app(settings: Settings | None = None) -> Starlette:
    if not logging.getLogger().handlers:  # run as a server: our own events at INFO
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if settings is None:  # a real start (uvicorn factory, voordeur gateway); tests pass their own
        settings = Settings.load()
        require_strong_secrets(settings)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    rasa = RasaClient(settings.rasa_url, settings.rasa_token)
    notifier = RedisNotifier(settings.redis_url) if settings.redis_url else Notifier()
    switchboard = Switchboard(sessions=sessions, rasa=rasa, secret=settings.secret, settings=settings, notifier=notifier)
    directory = default_directory(settings.directory_path)  # a bad file fails here, naming file, entry and field
    switchboard.known_wijken = set(directory.wijk_names())
    switchboard.own_questions.append(FollowUpQuestion(settings.follow_up_days))
    switchboard.own_questions.append(CallBack())
    partners = load_partners(settings.referral_partners)  # a bad file fails here too

    channels = build_channels(settings, switchboard, STATIC_DIR)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await create_tables(engine)
        await sync_directory(sessions, directory)
        # The crisis lexicons and the language model load now, not on a resident's first message.
        await asyncio.to_thread(lexicons)
        await asyncio.to_thread(load_model)
        await notifier.start()
        for channel in channels:
            await channel.start()
        worker = asyncio.create_task(background_loop(switchboard, partners))
        try:
            yield
        finally:
            for channel in channels:
                with contextlib.suppress(Exception):
                    await channel.stop()
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await notifier.stop()
            await rasa.close()
            await engine.dispose()

    routes = [
        Route("/healthz", healthz),
        *[route for channel in channels for route in channel.routes()],
        *console.ROUTES,
        *dashboard.routes(switchboard),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={DBAPIError: database_unavailable, OSError: database_unavailable,
                                        **console_errors.HANDLERS})
    app.state.settings = settings
    app.state.engine = engine
    app.state.switchboard = switchboard
    app.state.actions_url = settings.action_endpoint_url
    return app
