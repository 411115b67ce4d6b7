"""Publish the analyst-facing tables from dbt's working DuckDB file to the served file, atomically.

DuckDB allows one writer per file, and a writer locks other processes out. So dbt builds into its
own working file (``CA_WAREHOUSE_PATH``, ``warehouse/build.duckdb``) and, after a successful build,
this module copies the analyst-facing tables (with their descriptions) into a brand-new temporary
DuckDB file next to the served file, checkpoints and closes it, and ``os.replace``s it onto the
served file (``CA_SERVED_PATH``, ``warehouse/analytics.duckdb``).

On Linux and macOS a rename is atomic: a reader that already holds the served file open keeps the
old, complete file (its inode) until it reconnects, and every new connection opens the new,
complete file. Nobody ever waits on a lock. Only a build file that a complete, successful
`dbt build` left (its outcome marker, written by dbt's on-run-end hook) is published, so the last
good served state stays in place after a failed or partial build.

Run: ``python -m models_py publish [--build PATH] [--served PATH]`` (under the run lock).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

# The analyst-facing relations, in lineage order. Each is published only if the build has it.
# Keep in step with the `bi_dashboard` exposure in
# dbt_project/models/reporting/_reporting__exposures.yml (a test checks that they agree).
PUBLISHED_TABLES: tuple[str, ...] = (
    # data quality
    "data_quality_summary",
    "quarantine_customers",
    "quarantine_products",
    "quarantine_orders",
    "quarantine_order_lines",
    "quarantine_prepare",
    "prepare_accounting",
    # marts
    "dim_customers",
    "dim_products",
    "fct_orders",
    "fct_order_lines",
    "customer_features",
    "customer_labels",
    # segmentation
    "segment_model",
    "customer_segments",
    "segment_profiles",
    "segment_history",
    "segment_migration",
    "segment_run_stability",
    "segment_k_selection",
    # prediction
    "model_registry",
    "model_metrics",
    "model_backtest_summary",
    "model_calibration",
    "model_feature_importance",
    "customer_predictions",
    "prediction_evaluation",
    # reporting
    "customer_360",
    "segment_summary",
    "monthly_revenue",
    "category_mix",
    "prediction_lift",
    "report_context",
    "run_warnings",
)

# Written by publish itself: what the served file holds and when it was published.
MANIFEST_TABLE = "served_tables"

_SOURCE_ALIAS = "ca_publish_source"
_SERVED_ALIAS = "ca_served"

# The served file's on-disk format, as a DuckDB release name: BI drivers bundle older DuckDB
# builds than the pipeline's, and a file opens only in a DuckDB at least as new as its format.
DEFAULT_SERVED_STORAGE_VERSION = "v1.1.0"


class PublishError(RuntimeError):
    """The build cannot be published (missing file, failed run, locked file, ...)."""


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int
    comment: str | None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Written into the build file by dbt's on-run-end hook (dbt_project/macros/build_outcome.sql)
# only after a complete `dbt build` in which every node succeeded.
BUILD_OUTCOME_TABLE = "dbt_build_outcome"


def check_build_outcome(build_path: Path) -> str:
    """The run id (dbt invocation id) of the complete, successful `dbt build` that wrote
    `build_path`.

    Raises PublishError when the file holds no such marker: its last dbt invocation failed, was
    interrupted, selected only some nodes, or was not a build (`dbt run`, `dbt test`)."""
    try:
        with duckdb.connect(str(build_path), read_only=True) as con:
            found = con.execute(
                "select table_schema from information_schema.tables where table_name = ?",
                [BUILD_OUTCOME_TABLE],
            ).fetchall()
            marker = (
                con.execute(
                    f"select run_id from {_quote(found[0][0])}.{_quote(BUILD_OUTCOME_TABLE)}"
                ).fetchone()
                if found
                else None
            )
    except duckdb.Error as exc:
        raise PublishError(
            f"cannot open build file {build_path} (is dbt still writing it?): {exc}"
        ) from exc
    if marker is None:
        raise PublishError(
            f"build file {build_path} was not left by a complete, successful `dbt build` (its "
            "last dbt invocation failed, was interrupted, selected only some nodes, or was not a "
            "build): run the whole build again; the served file was left unchanged"
        )
    return str(marker[0])


def stale_temporaries(served_path: Path) -> list[Path]:
    """Temporary files an interrupted publish left beside the served file (and their WALs)."""
    pattern = f".{served_path.name}.*.tmp"
    found = sorted(served_path.parent.glob(pattern)) + sorted(
        served_path.parent.glob(pattern + ".wal")
    )
    return [path for path in found if path.is_file()]


def remove_stale_temporaries(served_path: Path) -> list[Path]:
    """Delete what `stale_temporaries` finds; callers hold the run lock, so no publish is live."""
    removed = stale_temporaries(served_path)
    for path in removed:
        _remove_temporary(path)
    return removed


def _source_relations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str | None]]:
    """name -> (schema, kind, comment) of every table and view in the build file.

    A name found in several schemas resolves to `main` first, then alphabetically."""
    rows = con.execute(
        """
        select schema_name, table_name, 'table' as kind, comment
        from duckdb_tables() where database_name = ?
        union all
        select schema_name, view_name, 'view' as kind, comment
        from duckdb_views() where database_name = ? and not internal
        order by schema_name <> 'main', schema_name
        """,
        [_SOURCE_ALIAS, _SOURCE_ALIAS],
    ).fetchall()
    found: dict[str, tuple[str, str, str | None]] = {}
    for schema, name, kind, comment in rows:
        found.setdefault(name, (schema, kind, comment))
    return found


def _copy_relation(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, kind: str, comment: str | None
) -> PublishedTable:
    source = f"{_quote(_SOURCE_ALIAS)}.{_quote(schema)}.{_quote(name)}"
    target = f"{_quote(schema)}.{_quote(name)}"
    con.execute(f"create schema if not exists {_quote(schema)}")
    ddl = None
    if kind == "table":
        ddl = con.execute(
            "select sql from duckdb_tables() "
            "where database_name = ? and schema_name = ? and table_name = ?",
            [_SOURCE_ALIAS, schema, name],
        ).fetchone()[0]
    copied = False
    if ddl:
        # Recreate with the build's DDL so NOT NULL / primary keys of enforced contracts survive.
        try:
            con.execute(ddl)
            con.execute(f"insert into {target} select * from {source}")
            copied = True
        except duckdb.Error:  # DDL that cannot be replayed here (e.g. a custom type): plain copy
            con.execute(f"drop table if exists {target}")
    if not copied:
        # Views (e.g. staging-backed summaries) are materialised: the served file has no raw files.
        con.execute(f"create table {target} as select * from {source}")
    # COMMENT ON does not travel with CREATE TABLE AS / INSERT: re-apply the descriptions.
    if comment:
        con.execute(f"comment on table {target} is {_literal(comment)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? and comment is not null",
        [_SOURCE_ALIAS, schema, name],
    ).fetchall()
    for column, column_comment in columns:
        con.execute(f"comment on column {target}.{_quote(column)} is {_literal(column_comment)}")
    rows = con.execute(f"select count(*) from {target}").fetchone()[0]
    return PublishedTable(schema=schema, name=name, rows=int(rows), comment=comment)


def _write_manifest(
    con: duckdb.DuckDBPyConnection, published: Sequence[PublishedTable], published_at: datetime
) -> None:
    con.execute(
        f"""
        create table main.{MANIFEST_TABLE} (
            table_schema varchar not null,
            table_name varchar not null primary key,
            row_count bigint not null,
            description varchar,
            published_at timestamp not null
        )
        """
    )
    con.executemany(
        f"insert into main.{MANIFEST_TABLE} values (?, ?, ?, ?, ?)",
        [(t.schema, t.name, t.rows, t.comment, published_at) for t in published],
    )
    con.execute(
        f"comment on table main.{MANIFEST_TABLE} is "
        "'What the served file holds: one row per published table, with its row count and when "
        "this file was published from a successful dbt build.'"
    )
    for column, text in {
        "table_schema": "Schema of the published table.",
        "table_name": "Name of the published table.",
        "row_count": "Rows in the published table.",
        "description": "Description of the table (as documented in dbt).",
        "published_at": "UTC time this served file was published.",
    }.items():
        con.execute(f"comment on column main.{MANIFEST_TABLE}.{column} is {_literal(text)}")


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not supported on this platform
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    build_path: Path,
    served_path: Path,
    tables: Iterable[str] = PUBLISHED_TABLES,
) -> list[PublishedTable]:
    """Copy `tables` (those present) from the build file to a new served file, atomically.

    Returns what was published. Raises PublishError and leaves the served file untouched if the
    build is missing, locked, not a complete successful `dbt build` or holds none of the tables.
    Temporary files an interrupted publish left beside the served file are removed first."""
    build_path, served_path = Path(build_path), Path(served_path)
    if not build_path.is_file():
        raise PublishError(f"build file {build_path} does not exist: run `dbt build` first")
    if build_path.resolve() == served_path.resolve():
        raise PublishError(f"the served file must differ from the build file ({build_path})")
    check_build_outcome(build_path)
    remove_stale_temporaries(served_path)

    served_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = served_path.with_name(f".{served_path.name}.{uuid.uuid4().hex}.tmp")
    try:
        published = _write_served(tmp_path, build_path, tables)
        _swap_in(tmp_path, served_path)
    finally:
        _remove_temporary(tmp_path)
    return published


def _write_served(tmp_path: Path, build_path: Path, tables: Iterable[str]) -> list[PublishedTable]:
    """A complete served file at `tmp_path`: the build's `tables` (those present), their
    descriptions and the manifest, checkpointed and closed."""
    published: list[PublishedTable] = []
    con = _open_served(tmp_path, served_storage_version())
    try:
        try:
            con.execute(
                f"attach {_literal(str(build_path))} as {_quote(_SOURCE_ALIAS)} (read_only)"
            )
        except duckdb.Error as exc:
            raise PublishError(
                f"cannot open build file {build_path} (is dbt still writing it?): {exc}"
            ) from exc
        available = _source_relations(con)
        for name in dict.fromkeys(tables):
            if name in available:
                schema, kind, comment = available[name]
                published.append(_copy_relation(con, schema, name, kind, comment))
        if not published:
            raise PublishError(f"build file {build_path} holds none of the analyst-facing tables")
        _write_manifest(con, published, datetime.now(UTC).replace(tzinfo=None))
        con.execute(f"detach {_quote(_SOURCE_ALIAS)}")
        _close_served(con)
    finally:
        con.close()
    return published


def _swap_in(tmp_path: Path, served_path: Path) -> None:
    """Rename the finished temporary file over the served file, durably."""
    wal = tmp_path.with_name(tmp_path.name + ".wal")
    if wal.exists():  # checkpoint + close leaves none; never ship a half-applied file
        raise PublishError(f"{tmp_path} still has a write-ahead log after checkpoint")
    with open(tmp_path, "rb") as handle:
        os.fsync(handle.fileno())
    # A leftover WAL of the served path would be replayed onto the new file: drop it.
    stale_wal = served_path.with_name(served_path.name + ".wal")
    if stale_wal.exists():
        stale_wal.unlink()
    os.replace(tmp_path, served_path)
    _fsync_dir(served_path.parent)


def _remove_temporary(tmp_path: Path) -> None:
    """The temporary file, its WAL and its spill folder, whatever is left of them."""
    for leftover in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(tmp_path.with_name(tmp_path.name + ".tmp"), ignore_errors=True)


def memory_limit() -> str:
    """DuckDB memory_limit for the pipeline's own connections (CA_DUCKDB_MEMORY_LIMIT, as in
    profiles.yml; default 4GB)."""
    return os.environ.get("CA_DUCKDB_MEMORY_LIMIT") or "4GB"


def served_storage_version() -> str:
    """DuckDB storage version the served file is written in (CA_SERVED_STORAGE_VERSION, default
    DEFAULT_SERVED_STORAGE_VERSION; docs/bi.md lists the clients that open each)."""
    return os.environ.get("CA_SERVED_STORAGE_VERSION") or DEFAULT_SERVED_STORAGE_VERSION


def _open_served(tmp_path: Path, storage_version: str) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with a new file at `tmp_path` attached, in `storage_version`'s
    format, as its default database (so unqualified names are created there)."""
    con = duckdb.connect()
    try:
        # The same cap as the dbt profile: indexing the big fact tables may otherwise take most RAM.
        con.execute(f"set memory_limit = {_literal(memory_limit())}")
        # Spill next to the file, as a connection to the file would, not into the working dir.
        con.execute(f"set temp_directory = {_literal(str(tmp_path) + '.tmp')}")
        try:
            con.execute(
                f"attach {_literal(str(tmp_path))} as {_quote(_SERVED_ALIAS)} "
                f"(storage_version {_literal(storage_version)})"
            )
        except duckdb.InvalidInputException as exc:
            raise PublishError(
                f"CA_SERVED_STORAGE_VERSION={storage_version!r} is not a storage version DuckDB "
                f"{duckdb.__version__} knows: give a DuckDB release as 'vX.Y.Z' (for example "
                f"{DEFAULT_SERVED_STORAGE_VERSION!r}, the default) or 'latest'"
            ) from exc
        con.execute(f"use {_quote(_SERVED_ALIAS)}")
    except BaseException:
        con.close()
        raise
    return con


def _close_served(con: duckdb.DuckDBPyConnection) -> None:
    """Checkpoint the served file, then detach it: everything is written and the file closed."""
    con.execute(f"checkpoint {_quote(_SERVED_ALIAS)}")
    con.execute("use memory")
    con.execute(f"detach {_quote(_SERVED_ALIAS)}")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m models_py.serving.publish ...`: the same as `python -m models_py publish ...`."""
    from models_py.__main__ import main as pipeline_main

    return pipeline_main(["publish", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
