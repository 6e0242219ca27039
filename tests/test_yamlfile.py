"""bot/yamlfile.py reads the data files with libyaml's C parser: every YAML file of the project
gives exactly what PyYAML's own safe loader gives."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.yamlfile import SafeLoader, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".venv-rasa", "node_modules", ".git", "models", ".rasa"}


def test_the_c_parser_is_used_when_pyyaml_has_it():
    assert SafeLoader is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def test_every_data_file_reads_the_same_as_with_the_python_parser():
    files = [p for p in ROOT.rglob("*.yml") if not SKIP & set(p.relative_to(ROOT).parts)]
    assert len(files) > 40  # domain.yml, nlu/, the directory, lexicons, tests' cases ...
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_yaml(text) == yaml.safe_load(text), path
