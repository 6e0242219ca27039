"""The project installs from its own files: every dependency is pinned in the lock file that
scripts/setup.sh installs (the app itself is installed with --no-deps)."""

from __future__ import annotations

import re
import tomllib

from tests.nlu_data import ROOT


def pinned() -> dict[str, str]:
    lock = (ROOT / "requirements" / "app.lock").read_text().splitlines()
    return {re.split(r"[=<>\[]", line)[0].lower().replace("_", "-"): line for line in lock if "==" in line}


def test_every_app_dependency_is_pinned_in_the_lock_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
    lock = pinned()
    missing = [dep for dep in wanted if re.split(r"[=<>\[ ]", dep)[0].lower().replace("_", "-") not in lock]
    assert missing == []


def test_rasa_is_pinned_to_the_last_open_source_release():
    assert "rasa==3.6.21" in (ROOT / "requirements" / "rasa.lock").read_text().splitlines()
