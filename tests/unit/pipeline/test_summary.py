"""The run summary lists every table with its exact row count, from a real DuckDB file."""

from pathlib import Path

import duckdb
import pytest

from models_py.pipeline.summary import format_summary, table_row_counts


def test_counts_every_table_exactly(tmp_path: Path) -> None:
    db_path = tmp_path / "w.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("create table orders as select range as id from range(1234)")
        con.execute("create schema marts")
        con.execute("create table marts.customers as select range as id from range(7)")
        con.execute("create view not_a_table as select 1 as one")

    counts = table_row_counts(db_path)

    assert sorted(zip(counts["schema"], counts["table"], counts["rows"], strict=True)) == [
        ("main", "orders", 1234),
        ("marts", "customers", 7),
    ]
    text = format_summary(counts, db_path)
    assert str(db_path) in text
    assert "1,234" in text and "marts.customers" in text


def test_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make run"):
        table_row_counts(tmp_path / "absent.duckdb")
