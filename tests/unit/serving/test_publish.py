"""Lock-safe serving: publish copies the analyst-facing tables to a new file and renames it onto the
served file, so a BI tool holding the served file open never blocks a run and never fails."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers import ROOT as REPO_ROOT
from helpers import fresh_value, make_build

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
