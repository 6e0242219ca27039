"""`voordeur run` as systemd or a container runs it: SIGTERM stops all three processes; the Rasa
token is not on a command line; the action server listens on loopback without CORS; data,
secrets and logs are for the owner only."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot import stack
from tests.nlu_data import ROOT
from tests.security.test_secrets import VOORDEUR

pytestmark = pytest.mark.rasa


def children_of(pid: int) -> set[int]:
    """Every descendant process (the stack starts each service in its own session)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return not (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z")
    except OSError:
        return False


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (/proc/net/tcp, hex)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def running_stack(tmp_path_factory):
    data = tmp_path_factory.mktemp("stack") / "data"
    # What an older version left: readable to everyone on the machine.
    (data / "logs").mkdir(parents=True)
    for old in (data / "voordeur.db", data / "logs" / "gateway.log"):
        old.write_bytes(b"")
        old.chmod(0o644)
    for folder in (data, data / "logs"):
        folder.chmod(0o755)
    ports = {"gateway": stack.free_port(), "rasa": stack.free_port(), "actions": stack.free_port()}
    env = {k: v for k, v in os.environ.items()
           if k not in ("VOORDEUR_SECRET", "RASA_TOKEN", "DATABASE_URL", "VOORDEUR_PASSWORD_HASHING")}
    env.update(VOORDEUR_DATA_DIR=str(data), GATEWAY_PORT=str(ports["gateway"]), ACTIONS_PORT=str(ports["actions"]),
               RASA_URL=f"http://127.0.0.1:{ports['rasa']}")
    process = subprocess.Popen([str(VOORDEUR), "run"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{ports['gateway']}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    assert process.poll() is None, process.stdout.read().decode()
    yield process, data, ports
    if process.poll() is None:
        process.kill()
    for pid in children_of(process.pid):
        os.kill(pid, signal.SIGKILL)


def test_the_rasa_token_is_not_on_any_command_line(running_stack):
    process, data, _ = running_stack
    token = (data / "rasa_token").read_text().strip()
    pids = children_of(process.pid) | {process.pid}
    assert len(pids) >= 4  # voordeur run, action server, Rasa, gateway
    for pid in pids:
        assert token not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")


def test_the_action_server_listens_on_loopback_only_without_cors(running_stack):
    _, _, ports = running_stack
    assert listening_addresses(ports["actions"]) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0
    response = httpx.get(f"http://127.0.0.1:{ports['actions']}/health",
                         headers={"Origin": "https://evil.example"}, timeout=5)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_data_secrets_database_and_logs_are_for_the_owner_only(running_stack):
    _, data, _ = running_stack
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "logs").stat().st_mode) == 0o700
    for path in [data / "secret", data / "rasa_token", data / "voordeur.db", *(data / "logs").glob("*.log")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sigterm_stops_all_three_and_leaves_no_orphans(running_stack):
    process, _, ports = running_stack
    started = children_of(process.pid)
    assert started
    process.send_signal(signal.SIGTERM)  # what systemd and `docker stop` send
    assert process.wait(timeout=60) == 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in started):
        time.sleep(0.5)
    assert not [pid for pid in started if alive(pid)]
    for port in ports.values():
        assert not listening_addresses(port)
