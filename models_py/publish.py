"""Publish the analyst-facing tables from dbt's working DuckDB file to the served file, atomically.

DuckDB allows one writer per file, and a writer locks other processes out. So dbt builds into its
own working file (``CA_WAREHOUSE_PATH``, ``warehouse/build.duckdb``) and, after a successful build,
this module copies the analyst-facing tables (with their descriptions) into a brand-new temporary
DuckDB file next to the served file, checkpoints and closes it, and ``os.replace``s it onto the
served file (``CA_SERVED_PATH``, ``warehouse/analytics.duckdb``).

On Linux and macOS a rename is atomic: a reader that already holds the served file open keeps the
old, complete file (its inode) until it reconnects, and every new connection opens the new,
complete file. Nobody ever waits on a lock, and a failed build never reaches this step, so the last
good served state stays in place.

Run: ``python -m models_py.publish [--build PATH] [--served PATH] [--run-results PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD_PATH = ROOT / "warehouse" / "build.duckdb"
DEFAULT_SERVED_PATH = ROOT / "warehouse" / "analytics.duckdb"

# The analyst-facing relations, in lineage order. Each is published only if the build has it.
# Keep in step with the `bi_dashboard` exposure in dbt_project/models/reporting/_exposures.yml
# (a test checks that they agree).
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
_FAILED_STATUSES = {"error", "fail", "runtime error"}


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


def check_run_results(run_results_path: Path) -> None:
    """Refuse to publish a build whose last dbt invocation had errors or failing tests."""
    try:
        results = json.loads(run_results_path.read_text())["results"]
    except (OSError, ValueError, KeyError) as exc:
        raise PublishError(f"cannot read dbt run results {run_results_path}: {exc}") from exc
    failed = [r.get("unique_id", "?") for r in results if r.get("status") in _FAILED_STATUSES]
    if failed:
        shown = ", ".join(failed[:10]) + (" ..." if len(failed) > 10 else "")
        raise PublishError(
            f"the last dbt run ({run_results_path}) has {len(failed)} failed node(s): {shown}; "
            "the served file was left unchanged"
        )


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
    return PublishedTable(schema, name, int(rows), comment)


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
    run_results_path: Path | None = None,
) -> list[PublishedTable]:
    """Copy `tables` (those present) from the build file to a new served file, atomically.

    Returns what was published. Raises PublishError and leaves the served file untouched if the
    build is missing, locked, failed (per `run_results_path`) or holds none of the tables."""
    build_path, served_path = Path(build_path), Path(served_path)
    if not build_path.is_file():
        raise PublishError(f"build file {build_path} does not exist: run `dbt build` first")
    if build_path.resolve() == served_path.resolve():
        raise PublishError(f"the served file must differ from the build file ({build_path})")
    if run_results_path is not None:
        check_run_results(Path(run_results_path))

    served_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = served_path.with_name(f".{served_path.name}.{uuid.uuid4().hex}.tmp")
    published: list[PublishedTable] = []
    try:
        con = duckdb.connect(str(tmp_path))
        try:
            # The same cap as the dbt profile: without it DuckDB may take 80% of RAM to build the
            # primary-key indexes of the big fact tables (about 20 GB at 5M customers).
            con.execute(f"set memory_limit = {_literal(memory_limit())}")
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
                raise PublishError(
                    f"build file {build_path} holds none of the analyst-facing tables"
                )
            _write_manifest(con, published, datetime.now(UTC).replace(tzinfo=None))
            con.execute(f"detach {_quote(_SOURCE_ALIAS)}")
            con.execute("checkpoint")
        finally:
            con.close()
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
    finally:
        for leftover in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return published


def memory_limit() -> str:
    """DuckDB memory_limit for the pipeline's own connections (CA_DUCKDB_MEMORY_LIMIT, as in
    profiles.yml; default 4GB)."""
    return os.environ.get("CA_DUCKDB_MEMORY_LIMIT") or "4GB"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models_py.publish",
        description="Atomically publish the analyst-facing tables to the served DuckDB file.",
    )
    parser.add_argument(
        "--build",
        type=Path,
        default=_env_path("CA_WAREHOUSE_PATH", DEFAULT_BUILD_PATH),
        help="dbt's working DuckDB file (default: $CA_WAREHOUSE_PATH or warehouse/build.duckdb)",
    )
    parser.add_argument(
        "--served",
        type=Path,
        default=_env_path("CA_SERVED_PATH", DEFAULT_SERVED_PATH),
        help="the served file BI tools open read-only "
        "(default: $CA_SERVED_PATH or warehouse/analytics.duckdb)",
    )
    parser.add_argument(
        "--run-results",
        type=Path,
        default=None,
        help="dbt's run_results.json of the build: refuse to publish if it has failures",
    )
    args = parser.parse_args(argv)
    try:
        published = publish(args.build, args.served, run_results_path=args.run_results)
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 1
    total = sum(t.rows for t in published)
    print(f"published {len(published)} tables ({total} rows) to {args.served}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
