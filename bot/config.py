"""Settings from environment variables and an optional `.env` file (names in CONTRACTS.md §6)."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    """Refuse to start with a weak or default secret, unless VOORDEUR_DEMO_MODE=1."""
    problems = [f"{name} {why}" for name, value in (("VOORDEUR_SECRET (or data/secret)", settings.secret),
                                                     ("RASA_TOKEN (or data/rasa_token)", settings.rasa_token))
                if (why := secret_weakness(value))]
    if not problems or settings.demo_mode:
        return
    raise WeakSecret(
        "refusing to start: " + "; ".join(problems) + ". Unset it to have a strong one generated into "
        "the data folder, or set a random value of at least 32 characters (python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(32))'). For a demo with made-up data only: VOORDEUR_DEMO_MODE=1.")


def async_database_url(url: str) -> str:
    """Pick the async driver for a plain SQLAlchemy URL (postgresql://, sqlite://)."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    rasa_url: str
    rasa_token: str
    gateway_port: int
    secret: str
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
    extra: dict[str, str] = field(default_factory=dict)

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
            rasa_token=env.get("RASA_TOKEN") or _persistent_secret(data_dir / "rasa_token"),
            gateway_port=int(env.get("GATEWAY_PORT", "8080")),
            secret=env.get("VOORDEUR_SECRET") or _persistent_secret(data_dir / "secret"),
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
            extra={k: v for k, v in env.items() if k.startswith("VOORDEUR_")},
        )

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
