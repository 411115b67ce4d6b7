"""Lock-safe serving end to end: a BI reader holds the served file open for the whole of a real
`make run`, and is neither blocked nor sees half a run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, fresh_value

from models_py.serving.publish import publish


@pytest.mark.integration
def test_reader_held_open_for_the_whole_of_make_run(
    built_warehouse, tmp_path: Path, reader_factory
) -> None:
    """The issue's requirement, end to end: a reader holds the served file open for the whole of
    `make run` (dbt build -> publish -> report -> summary); the run is neither blocked nor fails,
    the reader keeps answering from the old state, and a new connection sees the new run."""
    served = tmp_path / "analytics.duckdb"
    publish(built_warehouse.db_path, served)
    reader = reader_factory(served)
    old_run = reader.query("select max(run_id) from customer_predictions")
    customers = reader.query("select count(*) from customer_360")

    env = dict(
        built_warehouse.env,
        CA_WAREHOUSE_PATH=str(tmp_path / "build.duckdb"),
        CA_ARTIFACTS_DIR=str(tmp_path / "artifacts"),
        CA_SERVED_PATH=str(served),
        CA_REPORT_DIR=str(tmp_path / "report"),
        CA_EXPORTS_DIR=str(tmp_path / "exports"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )
    # -o: treat the venv as up to date (never reinstall packages from inside a test)
    result = subprocess.run(
        ["make", "-o", str(ROOT / ".venv" / ".installed"), "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    # the held connection still answers, from the complete old state
    assert reader.query("select max(run_id) from customer_predictions") == old_run
    assert reader.query("select count(*) from customer_360") == customers
    # a new connection sees the new run, and the report was written from it
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        new_run = con.execute("select run_id from ml_run").fetchone()[0]
    assert new_run != old_run
    assert fresh_value(served, "select max(run_id) from customer_predictions") == new_run
    assert fresh_value(served, "select count(*) from customer_360") == customers
    assert (tmp_path / "report" / "index.html").stat().st_size > 10_000
    assert sorted((tmp_path / "exports").glob("segment_*.csv"))
    assert reader.close() == 0
