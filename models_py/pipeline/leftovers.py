"""What runs leave behind and when it goes: saved prediction models of old runs
(warehouse/artifacts/<run_id>/) and the run-private prepared folders of own-data runs."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

KEEP_ARTIFACT_RUNS_ENV = "CA_KEEP_ARTIFACT_RUNS"
DEFAULT_KEEP_ARTIFACT_RUNS = 5
# A runner's run id (lock.new_run_id), and the staging folders prepare makes beside one.
_RUN_FOLDER = re.compile(r"^\.?\d{8}T\d{6}Z-[0-9a-f]{6}($|-)")


class LeftoverSettingError(ValueError):
    """CA_KEEP_ARTIFACT_RUNS is not a whole number of at least 1."""


def keep_artifact_runs() -> int:
    """How many artifact run folders to keep (CA_KEEP_ARTIFACT_RUNS, at least 1)."""
    text = os.environ.get(KEEP_ARTIFACT_RUNS_ENV, "").strip()
    if not text:
        return DEFAULT_KEEP_ARTIFACT_RUNS
    if not text.isdigit() or int(text) < 1:
        raise LeftoverSettingError(
            f"{KEEP_ARTIFACT_RUNS_ENV}={text!r}: expected a whole number of at least 1"
        )
    return int(text)


def runs_in_registry(served_path: Path) -> set[str]:
    """Run ids whose saved models the served file's model_registry points at."""
    if not served_path.is_file():
        return set()
    with duckdb.connect(str(served_path), read_only=True) as con:
        has_registry = con.execute(
            "select count(*) from information_schema.tables where table_name = 'model_registry'"
        ).fetchone()[0]
        if not has_registry:
            return set()
        rows = con.execute(
            "select run_id from model_registry union select fitted_run_id from model_registry"
        ).fetchall()
    return {str(run_id) for (run_id,) in rows if run_id is not None}


def _last_written(folder: Path) -> float:
    return max(path.stat().st_mtime for path in (folder, *folder.iterdir()))


def prune_artifact_runs(artifacts_dir: Path, keep: int, protected: Iterable[str]) -> list[Path]:
    """Delete all but the `keep` newest run folders, never one named in `protected`."""
    if not artifacts_dir.is_dir():
        return []
    runs = sorted(
        (path for path in artifacts_dir.iterdir() if path.is_dir()),
        key=_last_written,
        reverse=True,
    )
    spared = set(protected)
    removed = [path for path in runs[keep:] if path.name not in spared]
    for path in removed:
        shutil.rmtree(path)
    return removed


def prune_prepared(prepared_root: Path, current_run_id: str) -> list[Path]:
    """Delete the prepared folders (and staging leftovers) of every run but `current_run_id`.
    Only the holder of the run lock calls this, so no other run is reading them."""
    if not prepared_root.is_dir():
        return []
    removed = [
        path
        for path in prepared_root.iterdir()
        if path.is_dir() and _RUN_FOLDER.match(path.name) and path.name != current_run_id
    ]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
