"""A second run on the same data rebuilds the same tables with the same contents (`make run`
twice): only run ids, fit timestamps and the run history may differ."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.integration

# Columns that name or time the run itself, and tables that accumulate runs by design.
RUN_COLUMNS = {
    "run_id",
    "fitted_run_id",
    "previous_run_id",
    "current_run_id",
    "started_at",
    "fitted_at",
    "artifact_path",
}
RUN_TABLES = {"ml_run", "segment_history", "segment_migration", "segment_run_stability"}

TABLES_SQL = """
    select table_name from duckdb_tables()
    where database_name = current_database() and schema_name = 'main' and not temporary
    order by table_name
"""


def _contents(warehouse, table: str) -> pd.DataFrame:
    frame = warehouse.query(f'select * from "{table}"')
    frame = frame.drop(columns=[c for c in frame.columns if c in RUN_COLUMNS])
    return frame.sort_values(list(frame.columns), ignore_index=True)


def test_second_build_gives_the_same_tables_and_contents(built_warehouse, rebuilt_warehouse):
    first_tables = set(built_warehouse.query(TABLES_SQL)["table_name"])
    second_tables = set(rebuilt_warehouse.query(TABLES_SQL)["table_name"])
    assert first_tables == second_tables
    compared = sorted(first_tables - RUN_TABLES)
    assert {"customer_features", "customer_segments", "customer_predictions"} <= set(compared)
    for table in compared:
        pd.testing.assert_frame_equal(
            _contents(built_warehouse, table), _contents(rebuilt_warehouse, table), obj=table
        )


def test_second_build_is_a_new_run(built_warehouse, rebuilt_warehouse):
    first = built_warehouse.query("select run_id from ml_run")["run_id"].item()
    second = rebuilt_warehouse.query("select run_id from ml_run")["run_id"].item()
    assert first != second
    history = rebuilt_warehouse.query("select distinct run_id from segment_history")
    assert set(history["run_id"]) == {first, second}
