"""The closing summary of `make run`: every table the run built, its row count, and where it is,
and the run's warnings (table run_warnings) when there are any."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

# Schemas dbt-duckdb uses for models; anything else in the file (e.g. temp objects) is not ours.
_TABLES_SQL = """
    select schema_name, table_name, estimated_size
    from duckdb_tables()
    where database_name = current_database() and not temporary
    order by schema_name, table_name
"""


# Errors first, then by code, so the same run always lists its warnings in the same order.
RUN_WARNINGS_SQL = """
    select severity, warning_code, message
    from run_warnings
    order by case when severity = 'error' then 0 else 1 end, warning_code
"""


def read_run_warnings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(severity, warning_code, message) of every row of run_warnings; none without the table."""
    present = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and table_name = 'run_warnings'"
    ).fetchone()[0]
    if not present:
        return []
    return [tuple(row) for row in con.execute(RUN_WARNINGS_SQL).fetchall()]


def format_run_warnings(con: duckdb.DuckDBPyConnection) -> str:
    """The run's warnings as terminal lines, or an empty string when there are none."""
    warnings = read_run_warnings(con)
    if not warnings:
        return ""
    lines = [f"{len(warnings)} warning(s) about this run's numbers (table run_warnings):"]
    lines += [f"  {severity.upper()} {code}: {message}" for severity, code, message in warnings]
    return "\n".join(lines)


def table_row_counts(db_path: Path) -> pd.DataFrame:
    """Exact row counts of every table in the DuckDB file at `db_path`, opened read-only."""
    if not db_path.exists():
        raise FileNotFoundError(f"warehouse file not found: {db_path} (run `make run` first)")
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = con.execute(_TABLES_SQL).fetchall()
        rows = [
            (schema, name, con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
            for schema, name, _ in tables
        ]
    return pd.DataFrame(rows, columns=["schema", "table", "rows"])


def format_summary(counts: pd.DataFrame, db_path: Path) -> str:
    """A short, aligned text summary for the terminal."""
    names = [
        f"{schema}.{table}" for schema, table in zip(counts["schema"], counts["table"], strict=True)
    ]
    width = max(map(len, names), default=5)
    lines = [f"Built {len(counts)} tables in {db_path}:"]
    lines += [
        f"  {name:<{width}}  {rows:>12,}" for name, rows in zip(names, counts["rows"], strict=True)
    ]
    return "\n".join(lines)
