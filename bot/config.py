"""Settings from environment variables and an optional `.env` file (names in CONTRACTS.md §6).

Every environment variable is read here, and only when `Settings.load()` is called, never at
import (tests/test_settings.py fails on a read elsewhere). The gateway loads its Settings once
at start and hands them on (app, switchboard); code without them at hand (the action server,
the CLI, helpers such as `desk_hours()` or `retention_days()`) calls `Settings.load()` where it
needs a value. Loading has no side effects: the two generated secrets are made on first use."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRECTORY = PROJECT_ROOT / "directory" / "services.yml"  # the demo municipality


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; comments and blank lines are skipped, quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (the data folder: database, secrets, logs); an older
    one left readable to others is closed too."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # not ours to change (a mounted volume): leave it
        path.chmod(0o700)
    return path


def _persistent_secret(path: Path) -> str:
    """A random secret kept in the data folder (which git ignores), created on first use."""
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    private_dir(path.parent)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


MIN_SECRET_LENGTH = 32
KNOWN_WEAK = {"secret", "password", "voordeur", "test-secret", "test-token", "token", "admin", "rasa"}


class WeakSecret(RuntimeError):
    """A secret anyone could know or guess; the message says which and what to do."""


def secret_weakness(value: str) -> str | None:
    """Why a secret is too weak to run with, or None. A known VOORDEUR_SECRET reverses every
    pseudonym by trying candidates (there are about 10^8 Dutch mobile numbers)."""
    lowered = value.strip().lower()
    if not lowered:
        return "is empty"
    if lowered in KNOWN_WEAK or any(word in lowered for word in ("change-me", "changeme", "change_me")):
        return "is a known default"
    if len(value.strip()) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < 8:
        return "has too few different characters"
    return None


def require_strong_secrets(settings: Settings) -> None:
    """Refuse to start with a weak or default secret, or cheap password hashing, unless
    VOORDEUR_DEMO_MODE=1."""
    problems = [f"{name} {why}" for name, value in (("VOORDEUR_SECRET (or data/secret)", settings.secret),
                                                     ("RASA_TOKEN (or data/rasa_token)", settings.rasa_token))
                if (why := secret_weakness(value))]
    if settings.demo_mode:
        return
    if settings.password_hashing != "production":
        raise WeakSecret(f"refusing to start: VOORDEUR_PASSWORD_HASHING={settings.password_hashing} makes "
                         "passwords cheap to guess and is for the test suite only: unset it.")
    if not problems:
        return
    raise WeakSecret(
        "refusing to start: " + "; ".join(problems) + ". Unset it to have a strong one generated into "
        "the data folder, or set a random value of at least 32 characters (python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(32))'). For a demo with made-up data only: VOORDEUR_DEMO_MODE=1.")


def password_hashing(value: str) -> str:
    if value not in ("production", "cheapest"):
        raise ValueError(f"VOORDEUR_PASSWORD_HASHING must be production or cheapest, not {value!r}")
    return value


def async_database_url(url: str) -> str:
    """Pick the async driver for a plain SQLAlchemy URL (postgresql://, sqlite://)."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment for a process we start (Rasa, the action server, a gateway): ours plus
    `overrides`."""
    return {**os.environ, **overrides}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    rasa_url: str
    gateway_port: int
    redis_url: str | None = None
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: str | None = None
    telegram_webhook_url: str | None = None  # public URL to register with setWebhook (optional)
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_template_name: str | None = None  # for replies outside the 24-hour window
    whatsapp_template_language: str = "nl"
    # "Is het gelukt?" outside the 24-hour window (bot/follow_up.py): {{1}} = service, 4 quick replies
    whatsapp_follow_up_template: str | None = None
    whatsapp_follow_up_template_language: str = "nl"
    # The gateway's work
    desk_hours: str = "mon-fri 09:00-17:00"  # VOORDEUR_DESK_HOURS, Europe/Amsterdam
    minutes_per_case: int = 10  # VOORDEUR_MINUTES_PER_CASE: the wait a resident is told, per case ahead
    remind_minutes: int = 15  # VOORDEUR_REMIND_MINUTES
    retention_days: int = 30  # VOORDEUR_RETENTION_DAYS
    follow_up_days: int = 3  # VOORDEUR_FOLLOW_UP_DAYS: working days before "is het gelukt?" (1-20)
    stuck_seconds: float = 60  # VOORDEUR_STUCK_SECONDS: a message still `received` is picked up again
    retry_interval: float = 2  # VOORDEUR_RETRY_INTERVAL: seconds between background rounds
    directory_path: Path = DEFAULT_DIRECTORY  # VOORDEUR_DIRECTORY
    referral_partners: str | None = None  # VOORDEUR_REFERRAL_PARTNERS: the partners' secrets file
    password_hashing: str = "production"  # VOORDEUR_PASSWORD_HASHING: "cheapest" in tests only
    # The processes around it (bot/stack.py)
    action_endpoint_url: str = "http://127.0.0.1:5055/webhook"  # ACTION_ENDPOINT_URL
    actions_port: int = 5055  # ACTIONS_PORT
    model_path: Path = PROJECT_ROOT / "models" / "voordeur.tar.gz"  # VOORDEUR_MODEL
    rasa_bin: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"  # VOORDEUR_RASA_BIN
    extra: dict[str, str] = field(default_factory=dict, repr=False)  # every VOORDEUR_* variable, as given
    given_rasa_token: str | None = field(default=None, repr=False)  # RASA_TOKEN
    given_secret: str | None = field(default=None, repr=False)  # VOORDEUR_SECRET

    @classmethod
    def load(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(read_dotenv(PROJECT_ROOT / ".env"))
        env.update(os.environ if environ is None else environ)
        data_dir = Path(env.get("VOORDEUR_DATA_DIR", PROJECT_ROOT / "data"))
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'voordeur.db'}"
        return cls(
            data_dir=data_dir,
            database_url=async_database_url(database_url),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            given_rasa_token=env.get("RASA_TOKEN") or None,
            gateway_port=int(env.get("GATEWAY_PORT", "8080")),
            given_secret=env.get("VOORDEUR_SECRET") or None,
            redis_url=env.get("REDIS_URL") or None,
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            whatsapp_token=env.get("WHATSAPP_TOKEN") or None,
            whatsapp_phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID") or None,
            whatsapp_app_secret=env.get("WHATSAPP_APP_SECRET") or None,
            whatsapp_verify_token=env.get("WHATSAPP_VERIFY_TOKEN") or None,
            whatsapp_api_base_url=env.get(
                "WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0"
            ).rstrip("/"),
            whatsapp_template_name=env.get("WHATSAPP_TEMPLATE_NAME") or None,
            whatsapp_template_language=env.get("WHATSAPP_TEMPLATE_LANGUAGE") or "nl",
            whatsapp_follow_up_template=env.get("WHATSAPP_FOLLOW_UP_TEMPLATE") or None,
            whatsapp_follow_up_template_language=(env.get("WHATSAPP_FOLLOW_UP_TEMPLATE_LANGUAGE")
                                                  or env.get("WHATSAPP_TEMPLATE_LANGUAGE") or "nl"),
            desk_hours=env.get("VOORDEUR_DESK_HOURS", "mon-fri 09:00-17:00"),
            minutes_per_case=int(env.get("VOORDEUR_MINUTES_PER_CASE", "10")),
            remind_minutes=int(env.get("VOORDEUR_REMIND_MINUTES", "15")),
            retention_days=int(env.get("VOORDEUR_RETENTION_DAYS", "30")),
            follow_up_days=min(max(int(env.get("VOORDEUR_FOLLOW_UP_DAYS", "3")), 1), 20),
            stuck_seconds=float(env.get("VOORDEUR_STUCK_SECONDS", "60")),
            retry_interval=float(env.get("VOORDEUR_RETRY_INTERVAL", "2")),
            directory_path=Path(env.get("VOORDEUR_DIRECTORY") or DEFAULT_DIRECTORY),
            referral_partners=env.get("VOORDEUR_REFERRAL_PARTNERS") or None,
            password_hashing=password_hashing(env.get("VOORDEUR_PASSWORD_HASHING") or "production"),
            action_endpoint_url=env.get("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook"),
            actions_port=int(env.get("ACTIONS_PORT", "5055")),
            model_path=Path(env.get("VOORDEUR_MODEL", PROJECT_ROOT / "models" / "voordeur.tar.gz")),
            rasa_bin=Path(env.get("VOORDEUR_RASA_BIN", PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa")),
            extra={k: v for k, v in env.items() if k.startswith("VOORDEUR_")},
        )

    @cached_property
    def rasa_token(self) -> str:
        return self.given_rasa_token or _persistent_secret(self.data_dir / "rasa_token")

    @cached_property
    def secret(self) -> str:
        return self.given_secret or _persistent_secret(self.data_dir / "secret")

    @property
    def demo_mode(self) -> bool:
        """VOORDEUR_DEMO_MODE=1: weak secrets allowed (a demo or a test run, never real residents)."""
        return self.extra.get("VOORDEUR_DEMO_MODE", "").strip().lower() in ("1", "true", "yes")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_token and self.whatsapp_phone_number_id and self.whatsapp_app_secret)
