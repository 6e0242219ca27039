"""One settings object: every environment variable is read in bot/config.py, when
`Settings.load()` is called, never at import time; loading writes nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.config import DEFAULT_DIRECTORY, Settings
from bot.handover.hours import desk_hours

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "bot" / "config.py"
SOURCES = [p for folder in ("bot", "actions") for p in sorted((ROOT / folder).rglob("*.py"))]


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that touch os.environ or os.getenv, or import them from os."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "putenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(alias.name in ("environ", "getenv", "environb") for alias in node.names):
            lines.append(node.lineno)
    return lines


def loads_at_import(tree: ast.Module) -> list[int]:
    """Lines where `Settings.load()` runs when the module is imported (outside a function body)."""
    lines = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)  # at import
            pending.extend(getattr(node, "decorator_list", []))
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "Settings":
            lines.append(node.lineno)
        pending.extend(ast.iter_child_nodes(node))
    return lines


def test_only_the_settings_read_the_environment():
    reads = {str(p.relative_to(ROOT)): lines for p in SOURCES if p != CONFIG
             if (lines := environment_reads(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not reads, f"read environment variables through bot.config.Settings: {reads}"


def test_no_module_loads_the_settings_when_imported():
    at_import = {str(p.relative_to(ROOT)): lines for p in SOURCES
                 if (lines := loads_at_import(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not at_import, f"load the settings where they are used, not at import: {at_import}"


def test_the_checks_find_a_read():
    tree = ast.parse("import os\nfrom os import getenv\nX = os.environ.get('A')\n"
                     "def f(p=Settings.load().data_dir):\n    return Settings.load()\nY = Settings.load()\n")
    assert environment_reads(tree) == [2, 3]
    assert sorted(loads_at_import(tree)) == [4, 6]


def test_the_variables_are_read_typed_with_their_defaults(tmp_path):
    settings = Settings.load({"VOORDEUR_DATA_DIR": str(tmp_path), "VOORDEUR_DESK_HOURS": "mon-sun 00:00-23:59",
                              "VOORDEUR_MINUTES_PER_CASE": "7", "VOORDEUR_STUCK_SECONDS": "3",
                              "VOORDEUR_DIRECTORY": str(tmp_path / "gemeente.yml"), "ACTIONS_PORT": "6055"})
    assert (settings.minutes_per_case, settings.stuck_seconds, settings.actions_port) == (7, 3.0, 6055)
    assert settings.directory_path == tmp_path / "gemeente.yml"
    assert desk_hours(settings).slots.keys() == set(range(7))  # open every day of the week
    defaults = Settings.load({"VOORDEUR_DATA_DIR": str(tmp_path)})
    assert (defaults.remind_minutes, defaults.retention_days, defaults.retry_interval) == (15, 30, 2.0)
    assert defaults.directory_path == DEFAULT_DIRECTORY and defaults.desk_hours == "mon-fri 09:00-17:00"


def test_loading_writes_no_secret_until_one_is_used(tmp_path):
    settings = Settings.load({"VOORDEUR_DATA_DIR": str(tmp_path / "data")})
    assert not (tmp_path / "data").exists()
    assert len(settings.secret) >= 32 and (tmp_path / "data" / "secret").read_text() == settings.secret
    assert Settings.load({"VOORDEUR_DATA_DIR": str(tmp_path / "data")}).secret == settings.secret
    assert "k3J9x-Qw8rT2" not in repr(Settings.load({"VOORDEUR_SECRET": "k3J9x-Qw8rT2vB7nM4pL6zH1yF5sD0aGcE"}))


def test_a_variable_set_while_running_counts_from_the_next_use(monkeypatch):
    monkeypatch.setenv("VOORDEUR_DESK_HOURS", "mon 00:00-00:01")
    assert set(desk_hours().slots) == {0}
    monkeypatch.setenv("VOORDEUR_DESK_HOURS", "sat-sun 10:00-12:00")
    assert set(desk_hours().slots) == {5, 6}
