"""`voordeur needs export` on a SQLite database with events (CONTRACTS.md section 5)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.store.db import create_tables, make_engine, make_sessionmaker
from tests.needs.conftest import fill_need_log

ROOT = Path(__file__).resolve().parents[2]


def run_export(db_url: str, *args: str, min_cell: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "VOORDEUR_SECRET": "test-secret"}
    env.pop("VOORDEUR_MIN_CELL", None)
    if min_cell:
        env["VOORDEUR_MIN_CELL"] = min_cell
    return subprocess.run([sys.executable, "-m", "bot.cli", "needs", "export", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def make_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'needs.db'}"

    async def setup() -> None:
        engine = make_engine(Settings.load({"DATABASE_URL": url, "VOORDEUR_SECRET": "x",
                                            "VOORDEUR_DATA_DIR": str(tmp_path)}).database_url)
        await create_tables(engine)
        await fill_need_log(make_sessionmaker(engine), n=300)
        await engine.dispose()

    asyncio.run(setup())
    return url


def test_export_csv_json_and_periods(tmp_path):
    url = make_db(tmp_path)
    result = run_export(url)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["week", "wijk", "theme", "intent", "outcome", "count"]
    assert any(r["count"] == "<10" for r in rows)
    assert all(r["count"] in ("<10", "x") or int(r["count"]) >= 10 for r in rows)

    as_json = json.loads(run_export(url, "--format", "json").stdout)
    assert [{**r, "count": str(r["count"])} for r in as_json] == rows

    early = list(csv.DictReader(io.StringIO(run_export(url, "--since", "2026-W01", "--until", "2026-W02").stdout)))
    assert early and {r["week"] for r in early} == {"2026-W01", "2026-W02"}
    assert all(r in rows for r in early)  # a week shows the same figures whatever the period

    lower = list(csv.DictReader(io.StringIO(run_export(url, min_cell="5").stdout)))
    assert any(r["count"] == "<5" for r in lower)
    unsafe = list(csv.DictReader(io.StringIO(run_export(url, min_cell="3").stdout)))
    assert unsafe == lower  # a threshold below 5 is raised to 5


def test_export_refuses_a_bad_week(tmp_path):
    result = run_export(make_db(tmp_path), "--since", "week 3")
    assert result.returncode == 2 and "ISO week" in result.stderr
