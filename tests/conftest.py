"""Shared fixtures. The integration fixture generates a small seeded demo dataset and runs the real
`dbt build` on it in a temporary directory, once per pytest session."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")

SMALL_CUSTOMERS = 1500
SMALL_SEED = 7


@dataclass(frozen=True)
class Warehouse:
    """A built warehouse: where its raw files and DuckDB file are, and how to run dbt on it."""

    root: Path
    raw_dir: Path
    db_path: Path
    artifacts_dir: Path
    env: dict[str, str]

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.db_path), read_only=True)

    def query(self, sql: str):
        with self.connect() as con:
            return con.sql(sql).df()

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_dbt(self.env, self.root, *args, check=check)


def dbt_env(raw_dir: Path, db_path: Path, artifacts_dir: Path, raw_format: str = "csv") -> dict:
    env = dict(os.environ)
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_PROFILES_DIR=str(ROOT),
        CA_RAW_DIR=str(raw_dir),
        CA_RAW_FORMAT=raw_format,
        CA_WAREHOUSE_PATH=str(db_path),
        CA_ARTIFACTS_DIR=str(artifacts_dir),
    )
    return env


def run_dbt(env: dict, work_dir: Path, *args: str, check: bool = True):
    """Run the real dbt CLI with its own target and log folders, so parallel runs never clash."""
    cmd = [
        str(DBT),
        *args,
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(
        cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-8000:]}")
    return result


def generate(out: Path, customers: int, seed: int, fmt: str = "csv") -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "models_py",
            "generate",
            "--customers",
            str(customers),
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--format",
            fmt,
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """A small generated dataset, built and tested end to end by `dbt build`."""
    root = tmp_path_factory.mktemp("warehouse")
    raw_dir = root / "raw"
    generate(raw_dir, SMALL_CUSTOMERS, SMALL_SEED)
    env = dbt_env(raw_dir, root / "build.duckdb", root / "artifacts")
    warehouse = Warehouse(
        root=root,
        raw_dir=raw_dir,
        db_path=root / "build.duckdb",
        artifacts_dir=root / "artifacts",
        env=env,
    )
    warehouse.dbt("build")
    return warehouse


@pytest.fixture(scope="session")
def rebuilt_warehouse(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the built warehouse on which the whole `dbt build` ran a second time, as a
    second `make run` would (same raw files, the first run's history in place)."""
    root = tmp_path_factory.mktemp("rebuilt")
    db_path = root / "build.duckdb"
    shutil.copy(built_warehouse.db_path, db_path)
    wal = Path(f"{built_warehouse.db_path}.wal")
    if wal.exists():
        shutil.copy(wal, Path(f"{db_path}.wal"))
    env = {**built_warehouse.env, "CA_WAREHOUSE_PATH": str(db_path)}
    copy = dataclasses.replace(built_warehouse, root=root, db_path=db_path, env=env)
    copy.dbt("build")
    return copy
