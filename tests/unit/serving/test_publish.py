"""Lock-safe serving: publish copies the analyst-facing tables to a new file and renames it onto the
served file, so a BI tool holding the served file open never blocks a run and never fails."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers import ROOT as REPO_ROOT
from helpers import make_build

from models_py.exit_codes import ExitCode
from models_py.serving.publish import (
    BUILD_OUTCOME_TABLE,
    MANIFEST_TABLE,
    PUBLISHED_TABLES,
    PublishError,
    main,
    publish,
)

ROOT = REPO_ROOT

# A second process that opens the served file read-only once and keeps it open; on each line of
# stdin it runs that SQL on its connection and prints the first value as JSON.
READER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("ready", flush=True)
for line in sys.stdin:
    sql = line.strip()
    if not sql:
        break
    try:
        print(json.dumps(con.execute(sql).fetchone()[0], default=str), flush=True)
    except Exception as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
con.close()
"""


class Reader:
    """A real second process holding a read-only connection to the served file."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", READER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def query(self, sql: str):
        self.proc.stdin.write(sql.replace("\n", " ") + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> int:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        return self.proc.wait(timeout=30)


@pytest.fixture
def reader_factory() -> Iterator:
    readers: list[Reader] = []

    def start(path: Path) -> Reader:
        readers.append(Reader(path))
        return readers[-1]

    yield start
    for reader in readers:
        if reader.proc.poll() is None:
            reader.proc.kill()


def fresh_value(path: Path, sql: str):
    """Run `sql` in a brand-new process (no DuckDB instance cached for the path)."""
    code = (
        "import json, sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps(con.execute(sys.argv[2]).fetchone()[0], default=str))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), sql], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_publish_copies_listed_tables_with_comments_and_constraints(tmp_path: Path) -> None:
    build, served = tmp_path / "build.duckdb", tmp_path / "served" / "analytics.duckdb"
    make_build(build, 1)
    published = publish(build, served)
    assert {t.name for t in published} == {"dim_customers", "data_quality_summary"}
    assert not [p for p in served.parent.iterdir() if p != served], "temporary files left behind"
    with duckdb.connect(str(served), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
        assert set(tables) == {"dim_customers", "data_quality_summary", MANIFEST_TABLE}
        assert tables["dim_customers"] == "One row per customer."
        # the view is materialised: the served file must not depend on raw files
        assert tables["data_quality_summary"] == "Row counts per raw table."
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where table_name = 'dim_customers'"
            ).fetchall()
        )
        assert comments == {"customer_id": "Customer's id.", "age": "Age in years."}
        manifest = dict(
            con.execute(f"select table_name, row_count from {MANIFEST_TABLE}").fetchall()
        )
        assert manifest == {"dim_customers": 10, "data_quality_summary": 1}
        # the contract's primary key travelled with the table
        with pytest.raises(duckdb.Error):
            con.execute("insert into dim_customers values ('C0', 1)")
    with duckdb.connect(str(served)) as con, pytest.raises(duckdb.ConstraintException):
        con.execute("insert into dim_customers values ('C0', 1)")


def test_failed_run_or_missing_build_leaves_served_file_untouched(tmp_path: Path) -> None:
    build, served = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    make_build(build, 1)
    publish(build, served)
    before = served.read_bytes()
    make_build(build, 2)
    with duckdb.connect(str(build)) as con:  # as the on-run-start hook of a build that then failed
        con.execute(f"drop table {BUILD_OUTCOME_TABLE}")
    with pytest.raises(PublishError, match=r"not left by a complete, successful `dbt build`"):
        publish(build, served)
    absent = ["--build", str(tmp_path / "absent.duckdb"), "--served", str(served)]
    assert main(absent) == ExitCode.PUBLISH_FAILED
    make_build(build, 2)
    with pytest.raises(PublishError, match="none of the analyst-facing tables"):
        publish(build, served, tables=["no_such_table"])
    assert served.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".run.lock")) == [
        "analytics.duckdb",
        "build.duckdb",
    ]


def test_publish_removes_temporary_files_an_interrupted_publish_left(tmp_path: Path) -> None:
    build, served = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    make_build(build, 1)
    stale = [
        tmp_path / ".analytics.duckdb.0123abcd.tmp",
        tmp_path / ".analytics.duckdb.0123abcd.tmp.wal",
        tmp_path / ".analytics.duckdb.feed.tmp",
    ]
    kept = [tmp_path / ".other.duckdb.0123abcd.tmp", tmp_path / "notes.tmp"]
    for path in stale + kept:
        path.write_bytes(b"left by kill -9")
    publish(build, served)
    assert [path for path in stale if path.exists()] == []
    assert all(path.exists() for path in kept)


def test_reader_holding_served_file_neither_blocks_nor_fails(
    tmp_path: Path, reader_factory
) -> None:
    build, served = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    make_build(build, 1)
    publish(build, served)
    reader = reader_factory(served)
    assert reader.query("select count(*) from dim_customers") == 10

    make_build(build, 2)
    started = time.monotonic()
    publish(build, served)  # would raise a lock error if the reader blocked the writer
    assert time.monotonic() - started < 30

    # the open connection keeps reading its complete old state; new connections see the new one
    assert reader.query("select count(*) from dim_customers") == 10
    assert reader.query("select max(age) from dim_customers") == 31
    assert fresh_value(served, "select count(*) from dim_customers") == 20
    assert fresh_value(served, "select max(age) from dim_customers") == 32
    assert reader.close() == 0


def test_exposure_lists_what_publish_serves() -> None:
    exposures = yaml.safe_load(
        (ROOT / "dbt_project" / "models" / "reporting" / "_reporting__exposures.yml").read_text()
    )["exposures"]
    bi = next(e for e in exposures if e["name"] == "bi_dashboard")
    served = {ref.split("'")[1] for ref in bi["depends_on"]}
    assert served <= set(PUBLISHED_TABLES)
    report = next(e for e in exposures if e["name"] == "customer_report")
    assert {ref.split("'")[1] for ref in report["depends_on"]} <= set(PUBLISHED_TABLES)


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
