"""The served file opens where BI tools open it: in older DuckDB clients (BI drivers bundle older
builds than the pipeline's) and through SQLAlchemy's inspector with duckdb-engine, as Superset
connects. Each client runs in its own virtualenv, installed from PyPI once under .cache/."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT as REPO_ROOT

from models_py.serving.publish import MANIFEST_TABLE, publish

ROOT = REPO_ROOT
CACHE_DIR = ROOT / ".cache"
BI_LOCK = ROOT / "requirements-bi.lock"

# The older DuckDB releases the served file must open in (exact versions, installed from PyPI).
OLDER_DUCKDB_CLIENTS = ("1.1.3", "1.4.5")

# Run by a client's own Python: every table and view of the file (opened read-only), each read in
# full, with its comment and its columns' comments, printed as JSON.
DESCRIBE_FILE = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
relations = con.execute(
    "select table_name, comment from duckdb_tables() where database_name = current_database() "
    "union all select view_name, comment from duckdb_views() "
    "where database_name = current_database() and not internal"
).fetchall()
described = {}
for name, comment in relations:
    rows = con.execute('select * from "' + name.replace('"', '""') + '"').fetchall()
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = current_database() and table_name = ?", [name]
    ).fetchall()
    described[name] = {"comment": comment, "rows": len(rows), "columns": dict(columns)}
print(json.dumps({"version": duckdb.__version__, "relations": described}))
"""

# Run by the BI environment's Python: what Superset asks SQLAlchemy's inspector when a database is
# added and a dataset is created, then a query, on a read-only connection.
INSPECT_LIKE_SUPERSET = """
import json, sys, sqlalchemy as sa
engine = sa.create_engine("duckdb:///" + sys.argv[1] + "?access_mode=read_only")
inspector = sa.inspect(engine)
described = {}
for name in inspector.get_table_names() + inspector.get_view_names():
    inspector.get_pk_constraint(name)
    inspector.get_foreign_keys(name)
    described[name] = {
        "comment": inspector.get_table_comment(name)["text"],
        "columns": {c["name"]: c["comment"] for c in inspector.get_columns(name)},
    }
with engine.connect() as con:
    rows = con.execute(sa.text("select * from " + sys.argv[2])).fetchall()
    try:
        con.execute(sa.text("create table written_by_bi as select 1 as x"))
        write = "allowed"
    except sa.exc.DBAPIError as exc:
        write = str(exc.orig)
print(json.dumps({"sqlalchemy": sa.__version__, "relations": described,
                  "query_rows": len(rows), "write": write}))
"""


def isolated_python(name: str, requirements: list[str]) -> Path:
    """The Python of a virtualenv under .cache/ with `requirements` installed (once: reused while
    its install stamp exists)."""
    env_dir = CACHE_DIR / name
    python = env_dir / "bin" / "python"
    stamp = env_dir / ".installed"
    if stamp.is_file():
        return python
    shutil.rmtree(env_dir, ignore_errors=True)  # a half-made environment of an interrupted run
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *requirements,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if install.returncode != 0:
        pytest.fail(f"cannot install {requirements} into {env_dir}:\n{install.stderr[-3000:]}")
    stamp.touch()
    return python


def run_client(python: Path, script: str, *args: str) -> dict:
    result = subprocess.run(
        [str(python), "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{python} failed:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout)


def bi_environment() -> Path:
    """The BI client environment of requirements-bi.lock (a new one whenever the lock changes)."""
    digest = hashlib.sha256(BI_LOCK.read_bytes()).hexdigest()[:12]
    return isolated_python(f"bi-{digest}", ["-r", str(BI_LOCK)])


def described_in_build(build_path: Path, names: set[str]) -> dict:
    """What the pipeline's own DuckDB reads from the build file for `names`."""
    described = run_client(Path(sys.executable), DESCRIBE_FILE, str(build_path))["relations"]
    return {name: described[name] for name in names}


@pytest.fixture(scope="module")
def served_file(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    served = tmp_path_factory.mktemp("served") / "analytics.duckdb"
    publish(built_warehouse.db_path, served)
    return served


@pytest.mark.integration
@pytest.mark.parametrize("version", OLDER_DUCKDB_CLIENTS)
def test_older_duckdb_reads_every_table_and_comment(
    version: str, served_file: Path, built_warehouse
) -> None:
    python = isolated_python(f"duckdb-{version}", [f"duckdb=={version}"])
    seen = run_client(python, DESCRIBE_FILE, str(served_file))
    assert seen["version"] == version
    relations = seen["relations"]
    published = set(relations) - {MANIFEST_TABLE}
    assert len(published) > 20, sorted(relations)
    # the same tables, row counts and descriptions as the build the pipeline's DuckDB reads
    assert {name: relations[name] for name in published} == described_in_build(
        built_warehouse.db_path, published
    )
    assert relations[MANIFEST_TABLE]["rows"] == len(published)
    assert relations[MANIFEST_TABLE]["comment"]
    assert all(relations[MANIFEST_TABLE]["columns"].values())


@pytest.mark.integration
def test_bi_tool_lists_tables_columns_comments_and_queries_read_only(served_file: Path) -> None:
    seen = run_client(bi_environment(), INSPECT_LIKE_SUPERSET, str(served_file), "customer_360")
    with duckdb.connect(str(served_file), read_only=True) as con:
        expected_tables = dict(
            con.execute("select table_name, comment from duckdb_tables()").fetchall()
        )
        expected_columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where table_name = 'customer_360'"
        ).fetchall()
        customers = con.execute("select count(*) from customer_360").fetchone()[0]
    relations = seen["relations"]
    assert {name: r["comment"] for name, r in relations.items()} == expected_tables
    assert relations["customer_360"]["columns"] == {c: text for _, c, text in expected_columns}
    assert seen["query_rows"] == customers
    assert "read-only" in seen["write"].lower(), seen["write"]
