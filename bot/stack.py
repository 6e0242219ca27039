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

from bot.config import PROJECT_ROOT, Settings, child_environment, private_dir


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


class Stopped(Exception):
    """SIGTERM or SIGHUP reached `voordeur run` (systemd, a container stop, a closed terminal)."""


def _spawn(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> tuple[subprocess.Popen, Path]:
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    log_dir.chmod(0o700)
    log_path = log_dir / f"{name}.log"
    handle = os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
    os.chmod(log_path, 0o600)  # also when an older run left it readable to others
    process = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    handle.close()
    return process, log_path


def _started(name: str, process: subprocess.Popen, url: str, log_path: Path, wait) -> Service:
    """A Service once `wait()` returns; the process is stopped if waiting fails or is interrupted
    (a SIGTERM while Rasa loads must not leave it behind)."""
    service = Service(name, process, url, log_path)
    try:
        wait()
    except BaseException:
        service.stop(timeout=5)
        raise
    return service


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
    # Loopback only (rasa-sdk listens on SANIC_HOST, 0.0.0.0 by default), without --cors: only
    # Rasa on this machine calls it, never a browser.
    env = child_environment(SANIC_HOST="127.0.0.1")
    process, log_path = _spawn(
        "actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)], env, log_dir
    )
    url = f"http://127.0.0.1:{port}"
    return _started("actions", process, url, log_path,
                    lambda: wait_until(f"{url}/health", process, "action server", log_path, timeout))


def start_rasa(port: int, token: str, actions_url: str, log_dir: Path, timeout: float = 240,
               model: Path | None = None, endpoints: Path = PROJECT_ROOT / "endpoints.yml",
               name: str = "rasa") -> Service:
    settings = Settings.load()
    model = model or settings.model_path
    if not model.is_file():
        raise StackError(f"no trained model at {model}: run `make model` first")
    if not settings.rasa_bin.is_file():
        raise StackError(f"Rasa is not installed at {settings.rasa_bin}: run `make setup` first")
    # The API token goes in the environment, not on the command line (/proc/<pid>/cmdline is
    # readable by every local user; /proc/<pid>/environ only by the owner): rasa_addons/serve.py.
    env = child_environment(ACTION_ENDPOINT_URL=f"{actions_url}/webhook", TF_CPP_MIN_LOG_LEVEL="2",
                            PYTHONPATH=str(PROJECT_ROOT), RASA_TOKEN=token)
    argv = [
        str(settings.rasa_bin.with_name("python")), "-m", "rasa_addons.serve", "run", "--enable-api", "-i", "127.0.0.1",
        "-p", str(port), "-m", str(model), "--endpoints", str(endpoints),
        "--credentials", "credentials.yml",
    ]
    process, log_path = _spawn(name, argv, env, log_dir)
    url = f"http://127.0.0.1:{port}"

    def ready(response: httpx.Response) -> bool:
        return response.status_code == 200 and bool(response.json().get("model_file"))

    return _started("rasa", process, url, log_path,
                    lambda: wait_until(f"{url}/status?token={token}", process, "Rasa", log_path, timeout, ready))


def start_gateway(port: int, env_overrides: dict[str, str], log_dir: Path, timeout: float = 60) -> Service:
    env = child_environment(**env_overrides)
    argv = [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    process, log_path = _spawn("gateway", argv, env, log_dir)
    url = f"http://127.0.0.1:{port}"
    return _started("gateway", process, url, log_path,
                    lambda: wait_until(f"{url}/healthz", process, "gateway", log_path, timeout,
                                       lambda r: r.status_code in (200, 503)))


def run_stack(settings: Settings) -> int:
    """Start all three, print where the chat is, and stop all on Ctrl-C, SIGTERM or SIGHUP, or
    when one dies."""
    log_dir = settings.data_dir / "logs"
    private_dir(settings.data_dir)
    services: list[Service] = []

    def stop_on_signal(signum: int, _frame) -> None:
        raise Stopped(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    rasa_port = urlsplit(settings.rasa_url).port or 5005
    actions_port = settings.actions_port
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
    except (KeyboardInterrupt, Stopped):
        print("\nStopping ...", flush=True)
        return 0
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):  # a second one must not cut
            signal.signal(signum, signal.SIG_IGN)                          # the cleanup short
        for service in reversed(services):
            service.stop()
