"""The closing summary of `make run`: every table the run built, its row count, and where it is."""

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
