"""docker-compose.yml is valid and describes the multi-machine deployment of issue 7."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.nlu_data import ROOT

COMPOSE_SECRETS = ("VOORDEUR_SECRET", "RASA_TOKEN", "POSTGRES_PASSWORD", "RASA_DB_PASSWORD")


def test_compose_file_is_valid_for_docker_compose():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: run `make system-packages`")
    # The secrets have no defaults (tests/security/test_secrets.py); a deployment's .env sets them.
    env = {**os.environ, **{name: "x" * 40 for name in COMPOSE_SECRETS}}
    result = subprocess.run([binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert result.returncode == 0, result.stderr


def test_every_service_has_a_health_check_and_the_stateful_ones_a_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"rasa", "actions", "gateway", "gateway-2", "postgres", "redis"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert any("pgdata" in v for v in services["postgres"]["volumes"])
    assert services["rasa"]["deploy"]["replicas"] >= 2


def test_rasa_replicas_share_trackers_in_postgres_and_a_redis_lock_store():
    endpoints = yaml.safe_load((ROOT / "deploy" / "endpoints.yml").read_text())
    store = endpoints["tracker_store"]
    assert store["type"] == "rasa_addons.tracker_store.TextFreeSQLTrackerStore"  # Rasa's SQL store, text-free
    assert store["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"
