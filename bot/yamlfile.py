"""YAML data files (domain.yml, the directory, lexicons, taxonomy), read with libyaml's C parser
when PyYAML has it: the same safe loading, about ten times faster (tests/test_yamlfile.py checks
every data file gives the same data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)  # a safe loader, C or Python


def read_yaml(path: Path | str) -> Any:
    return parse_yaml(Path(path).read_text(encoding="utf-8"))
