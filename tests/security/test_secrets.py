"""Weak or default secrets: the gateway refuses to start with them outside demo mode, and
docker-compose has no fallback; from nothing, a strong secret is generated (make run)."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from bot import stack
from tests.nlu_data import ROOT
from tests.test_deploy import COMPOSE_SECRETS

VOORDEUR = Path(sys.executable).with_name("voordeur")
STRONG = "k3J9x-Qw8rT2vB7nM4pL6zH1yF5sD0aGcE"


def gateway_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VOORDEUR_SECRET", "RASA_TOKEN", "VOORDEUR_DEMO_MODE", "VOORDEUR_PASSWORD_HASHING")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'voordeur.db'}", VOORDEUR_DATA_DIR=str(tmp_path / "data"),
               RASA_URL="http://127.0.0.1:9", **values)
    return env


def start_gateway(env: dict[str, str]) -> subprocess.CompletedProcess:
    """`voordeur gateway`; a refused start returns at once, a good one is stopped once it
    answers /healthz (stderr "still running"); one that does neither within 60 s fails."""
    port = stack.free_port()
    argv = [str(VOORDEUR), "gateway", "--port", str(port)]
    with subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 503):
                    process.terminate()
                    process.communicate(timeout=30)
                    return subprocess.CompletedProcess(argv, 0, "", "still running")
            time.sleep(0.02)
        if process.poll() is None:
            process.kill()
        stdout, stderr = process.communicate(timeout=30)
        return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


@pytest.mark.parametrize("secret, why", [
    ("change-me", "known default"),
    ("", "empty"),  # an empty data/secret file
    ("short-but-random-Zq8", "shorter than 32"),
])
def test_the_gateway_refuses_a_weak_secret(tmp_path, secret, why):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret").write_text(secret)
    result = start_gateway(gateway_env(tmp_path, RASA_TOKEN=STRONG))
    assert result.returncode == 2, result.stderr
    assert "VOORDEUR_SECRET" in result.stderr and why in result.stderr
    assert "VOORDEUR_DEMO_MODE" in result.stderr  # says what the way out is


def test_a_default_rasa_token_is_refused_too(tmp_path):
    result = start_gateway(gateway_env(tmp_path, VOORDEUR_SECRET=STRONG, RASA_TOKEN="change-me"))
    assert result.returncode == 2 and "RASA_TOKEN" in result.stderr


def test_demo_mode_accepts_a_weak_secret(tmp_path):
    result = start_gateway(gateway_env(tmp_path, VOORDEUR_SECRET="change-me", RASA_TOKEN="change-me",
                                       VOORDEUR_DEMO_MODE="1"))
    assert result.stderr == "still running"


def test_cheap_password_hashing_is_refused_outside_demo_mode(tmp_path):
    result = start_gateway(gateway_env(tmp_path, VOORDEUR_SECRET=STRONG, RASA_TOKEN=STRONG,
                                       VOORDEUR_PASSWORD_HASHING="cheapest"))
    assert result.returncode == 2 and "VOORDEUR_PASSWORD_HASHING" in result.stderr


def test_from_nothing_a_strong_owner_only_secret_is_generated(tmp_path):
    result = start_gateway(gateway_env(tmp_path))
    assert result.stderr == "still running"
    for name in ("secret", "rasa_token"):
        path = tmp_path / "data" / name
        assert len(path.read_text()) >= 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "voordeur.db").stat().st_mode) == 0o600


def test_docker_compose_has_no_default_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "change-me" not in text
    assert "change-me" not in "".join(p.read_text() for p in (ROOT / "deploy").iterdir() if p.is_file())
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: run `make system-packages`")
    for missing in COMPOSE_SECRETS:  # each one alone missing stops docker-compose, by name
        env = {**os.environ, **{name: STRONG for name in COMPOSE_SECRETS if name != missing}}
        env.pop(missing, None)
        result = subprocess.run([binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                                capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
        assert result.returncode != 0 and f"set {missing}" in result.stderr, missing
    rasa = yaml.safe_load(text)["services"]["rasa"]
    assert "--auth-token" not in " ".join(rasa["command"])  # not on a command line
