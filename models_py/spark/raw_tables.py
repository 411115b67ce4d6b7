"""The raw files as Spark tables, read in place: dbt's source('raw', name) is `<raw schema>.name`.

DuckDB reads the files through the sources' `external_location`; Spark has no such thing, so each
file present becomes an unmanaged table over the file (`<name>__file`, dropping it never touches
the file) and a view `<name>` with every column the source declares, a declared column absent from
the file reading as null (as DuckDB's optional_raw_text does).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from models_py.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RAW_SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
RAW_SCHEMA = "raw"
# CSV as DuckDB reads it: a header row, every column text, RFC 4180 quoting ("" inside quotes).
_CSV_OPTIONS = {"header": "true", "quote": '"', "escape": '"', "multiLine": "true"}


def declared_columns() -> dict[str, list[str]]:
    """Source table name -> its declared columns, from the raw source's yml."""
    sources = yaml.safe_load(RAW_SOURCES_YML.read_text(encoding="utf-8"))["sources"]
    raw = next(source for source in sources if source["name"] == RAW_SCHEMA)
    return {
        table["name"]: [column["name"] for column in table.get("columns", [])]
        for table in raw["tables"]
    }


def _sql_text(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _register_file(spark: SparkSession, name: str, path: Path, raw_format: str) -> list[str]:
    """The file as table raw.<name>__file; returns the file's columns."""
    options = dict(_CSV_OPTIONS) if raw_format == "csv" else {}
    options["path"] = str(path.absolute())
    rendered = ", ".join(f"`{key}` {_sql_text(value)}" for key, value in options.items())
    spark.sql(f"drop table if exists {RAW_SCHEMA}.{name}__file")
    spark.sql(f"create table {RAW_SCHEMA}.{name}__file using {raw_format} options ({rendered})")
    return spark.table(f"{RAW_SCHEMA}.{name}__file").columns


def _view_columns(declared: list[str], present: list[str]) -> list[str]:
    """Every declared column (null when absent from the file), then the file's other columns."""
    by_key = {column.lower(): column for column in present}
    declared_keys = {column.lower() for column in declared}
    columns = [
        f"`{by_key[column.lower()]}` as `{column}`"
        if column.lower() in by_key
        else f"cast(null as string) as `{column}`"
        for column in declared
    ]
    return columns + [f"`{column}`" for column in present if column.lower() not in declared_keys]


def register_raw_tables(spark: SparkSession, raw_dir: Path, raw_format: str) -> list[str]:
    """Every declared source file found in `raw_dir` as a view raw.<name>; returns the names."""
    spark.sql(f"create schema if not exists {RAW_SCHEMA}")
    registered = []
    for name, declared in declared_columns().items():
        path = raw_dir / f"{name}.{raw_format}"
        spark.sql(f"drop view if exists {RAW_SCHEMA}.{name}")
        if not path.is_file():
            spark.sql(f"drop table if exists {RAW_SCHEMA}.{name}__file")
            continue
        columns = _view_columns(declared, _register_file(spark, name, path, raw_format))
        spark.sql(
            f"create view {RAW_SCHEMA}.{name} as select {', '.join(columns)} "
            f"from {RAW_SCHEMA}.{name}__file"
        )
        registered.append(name)
    return registered
