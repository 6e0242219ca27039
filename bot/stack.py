"""Start and stop the three processes: Rasa server, action server and gateway.

Used by `voordeur run` (make run), by `voordeur parse` when no Rasa answers, and by the
test suite, so all three start the same way everywhere.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.config import PROJECT_ROOT, Settings

MODEL_PATH = Path(os.environ.get("VOORDEUR_MODEL", PROJECT_ROOT / "models" / "voordeur.tar.gz"))
RASA_BIN = Path(os.environ.get("VOORDEUR_RASA_BIN", PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"))


class StackError(RuntimeError):
    """A process could not start; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    url: str
    log_path: Path

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _spawn(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> tuple[subprocess.Popen, Path]:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    handle = open(log_path, "ab")
    process = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    handle.close()
    return process, log_path


def wait_until(url: str, process: subprocess.Popen, name: str, log_path: Path, timeout: float,
               ok=lambda r: r.status_code == 200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{name} stopped while starting (exit {process.returncode}); see {log_path}")
        try:
            if ok(httpx.get(url, timeout=2)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise StackError(f"{name} did not answer at {url} within {timeout:.0f} s; see {log_path}")


def start_actions(port: int, log_dir: Path, timeout: float = 60) -> Service:
    env = dict(os.environ)
    process, log_path = _spawn(
        "actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)], env, log_dir
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/health", process, "action server", log_path, timeout)
    return Service("actions", process, url, log_path)


def start_rasa(port: int, token: str, actions_url: str, log_dir: Path, timeout: float = 240,
               model: Path = MODEL_PATH, endpoints: Path = PROJECT_ROOT / "endpoints.yml",
               name: str = "rasa") -> Service:
    if not model.is_file():
        raise StackError(f"no trained model at {model}: run `make model` first")
    if not RASA_BIN.is_file():
        raise StackError(f"Rasa is not installed at {RASA_BIN}: run `make setup` first")
    env = dict(os.environ, ACTION_ENDPOINT_URL=f"{actions_url}/webhook", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(PROJECT_ROOT))
    argv = [
        str(RASA_BIN), "run", "--enable-api", "--auth-token", token, "-i", "127.0.0.1",
        "-p", str(port), "-m", str(model), "--endpoints", str(endpoints),
        "--credentials", "credentials.yml",
    ]
    process, log_path = _spawn(name, argv, env, log_dir)
    url = f"http://127.0.0.1:{port}"

    def ready(response: httpx.Response) -> bool:
        return response.status_code == 200 and bool(response.json().get("model_file"))

    wait_until(f"{url}/status?token={token}", process, "Rasa", log_path, timeout, ready)
    return Service("rasa", process, url, log_path)


def start_gateway(port: int, env_overrides: dict[str, str], log_dir: Path, timeout: float = 60) -> Service:
    env = dict(os.environ, **env_overrides)
    argv = [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    process, log_path = _spawn("gateway", argv, env, log_dir)
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/healthz", process, "gateway", log_path, timeout, lambda r: r.status_code in (200, 503))
    return Service("gateway", process, url, log_path)


def run_stack(settings: Settings) -> int:
    """Start all three, print where the chat is, and stop all on Ctrl-C or when one dies."""
    log_dir = settings.data_dir / "logs"
    services: list[Service] = []
    rasa_port = urlsplit(settings.rasa_url).port or 5005
    actions_port = int(os.environ.get("ACTIONS_PORT", "5055"))
    try:
        print("Starting the action server ...", flush=True)
        services.append(start_actions(actions_port, log_dir))
        print("Starting Rasa (loading the model takes up to a minute) ...", flush=True)
        services.append(start_rasa(rasa_port, settings.rasa_token, services[0].url, log_dir))
        print("Starting the gateway ...", flush=True)
        services.append(
            start_gateway(settings.gateway_port,
                          {"ACTION_ENDPOINT_URL": f"{services[0].url}/webhook",
                           "RASA_URL": services[1].url},
                          log_dir)
        )
        print(f"\nVoordeur runs. Web chat: http://127.0.0.1:{settings.gateway_port}/")
        print(f"Logs: {log_dir}. Stop with Ctrl-C.\n", flush=True)
        while True:
            for service in services:
                if service.process.poll() is not None:
                    print(f"{service.name} stopped unexpectedly (exit {service.process.returncode}); "
                          f"see {service.log_path}. Stopping the rest.", file=sys.stderr)
                    return 1
            time.sleep(1)
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        for service in reversed(services):
            service.stop()
