"""Shared fixtures. The integration fixture generates a small seeded demo dataset and runs the real
`dbt build` on it in a temporary directory, once per pytest session."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SMALL_CUSTOMERS, SMALL_SEED, Reader, Warehouse, dbt_env, generate


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


@pytest.fixture
def reader_factory() -> Iterator:
    readers: list[Reader] = []

    def start(path: Path) -> Reader:
        readers.append(Reader(path))
        return readers[-1]

    yield start
    for reader in readers:
        if reader.proc.poll() is None:
            reader.proc.kill()
