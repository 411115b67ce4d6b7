"""The steps of a run. Each raises `StepError` with its exit code and a message; none takes the
run lock (the runner holds it around them)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from models_py.exit_codes import ExitCode
from models_py.pipeline.children import run_child
from models_py.pipeline.explain import explain_failed_build
from models_py.pipeline.leftovers import (
    LeftoverSettingError,
    keep_artifact_runs,
    prune_artifact_runs,
    prune_prepared,
    runs_in_registry,
)
from models_py.settings import DBT_PROJECT_DIR, ROOT, PipelinePaths

_UNWRITABLE = {errno.EROFS: "the disk is read-only", errno.ENOSPC: "the disk is full"}


class StepError(Exception):
    """A step stopped the run: `code` is the exit status, the message says why."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class BuildInput:
    """What `dbt build` reads: the raw folder, its format and the --vars JSON (own data only)."""

    raw_dir: Path
    raw_format: str
    dbt_vars: str | None = None

    def reuse_run_id(self) -> str | None:
        value = json.loads(self.dbt_vars).get("prediction_reuse_run_id") if self.dbt_vars else None
        return None if value is None else str(value)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def describe_os_error(exc: OSError) -> str:
    """One line naming the path and the cause (read-only disk, full disk, permission, ...)."""
    where = exc.filename or "a file"
    if exc.errno == errno.ENOENT:
        return f"{where} not found"
    cause = _UNWRITABLE.get(exc.errno or 0, exc.strerror or str(exc))
    return f"cannot write {where}: {cause}"


@contextmanager
def failing_as(code: ExitCode, step: str) -> Iterator[None]:
    """Turn the disk and database errors of `step` into StepError(code) with a message."""
    try:
        yield
    except OSError as exc:
        raise StepError(code, f"{step}: {describe_os_error(exc)}") from exc
    except duckdb.Error as exc:
        raise StepError(code, f"{step}: {exc}") from exc


def prepare_own_data(config: Path, paths: PipelinePaths, run_id: str) -> BuildInput:
    """Validate and prepare the config's files into this run's own folder."""
    from models_py.byod.__main__ import main as byod_main

    out = paths.prepared_root / run_id
    with failing_as(ExitCode.BAD_INPUT, "prepare"):
        status = byod_main(["prepare", "--config", str(config), "--out", str(out)])
        if status != 0:
            raise StepError(ExitCode.BAD_INPUT, f"prepare: {config} was not accepted")
        prune_prepared(paths.prepared_root, run_id)
        dbt_vars = (out / "dbt_vars.json").read_text(encoding="utf-8")
    return BuildInput(raw_dir=out, raw_format="parquet", dbt_vars=dbt_vars)


def demo_data(paths: PipelinePaths, raw_format: str, generate_args: list[str]) -> BuildInput:
    """The demo extract in CA_RAW_DIR, generated first if absent."""
    from models_py.demo_data.cli import main as generate_main

    if (paths.raw_dir / f"orders.{raw_format}").is_file():
        say(f"demo data present in {paths.raw_dir}")
        return BuildInput(raw_dir=paths.raw_dir, raw_format=raw_format)
    with failing_as(ExitCode.BAD_INPUT, "demo data"):
        argv = [*generate_args, "--out", str(paths.raw_dir), "--format", raw_format]
        if generate_main(argv) != 0:
            raise StepError(ExitCode.BAD_INPUT, "demo data: the generator refused its options")
    return BuildInput(raw_dir=paths.raw_dir, raw_format=raw_format)


def dbt_environment(paths: PipelinePaths, build_input: BuildInput) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(ROOT))
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        CA_RAW_DIR=str(build_input.raw_dir),
        CA_RAW_FORMAT=build_input.raw_format,
        CA_WAREHOUSE_PATH=str(paths.build),
        CA_ARTIFACTS_DIR=str(paths.artifacts),
    )
    return env


def dbt_build(paths: PipelinePaths, build_input: BuildInput) -> None:
    """The whole `dbt build`, a child process that stops when the runner is stopped."""
    beside_python = Path(sys.executable).with_name("dbt")
    dbt = str(beside_python) if beside_python.is_file() else shutil.which("dbt") or "dbt"
    command = [dbt, "build"]
    if build_input.dbt_vars:
        command += ["--vars", build_input.dbt_vars]
    env = dbt_environment(paths, build_input)
    started = time.time()
    with failing_as(ExitCode.BUILD_FAILED, "dbt build"):
        paths.build.parent.mkdir(parents=True, exist_ok=True)
        status = run_child(command, cwd=DBT_PROJECT_DIR, env=env)
    if status != 0:
        target = Path(env.get("DBT_TARGET_PATH") or DBT_PROJECT_DIR / "target")
        reasons = explain_failed_build(DBT_PROJECT_DIR / target, paths.build, started)
        raise StepError(
            ExitCode.BUILD_FAILED,
            "\n".join(
                [f"dbt build failed (exit status {status}); the served file was left unchanged"]
                + (["what failed:", *reasons] if reasons else [])
            ),
        )


def artifact_runs_to_keep() -> int:
    """CA_KEEP_ARTIFACT_RUNS, checked (a run checks it before anything is replaced)."""
    try:
        return keep_artifact_runs()
    except LeftoverSettingError as exc:
        raise StepError(ExitCode.BAD_INPUT, str(exc)) from exc


def publish_build(paths: PipelinePaths, reuse_run_id: str | None = None) -> None:
    """Publish the build file, then keep only the newest artifact runs."""
    from models_py.serving.publish import PublishError, publish

    keep = artifact_runs_to_keep()
    with failing_as(ExitCode.PUBLISH_FAILED, f"publish to {paths.served}"):
        try:
            published = publish(paths.build, paths.served)
        except PublishError as exc:
            raise StepError(ExitCode.PUBLISH_FAILED, f"publish: {exc}") from exc
        protected = runs_in_registry(paths.served) | ({reuse_run_id} - {None})
        prune_artifact_runs(paths.artifacts, keep, protected)
    total = sum(table.rows for table in published)
    print(f"published {len(published)} tables ({total} rows) to {paths.served}")


def write_report(paths: PipelinePaths) -> None:
    from models_py.report.build import build_report

    with failing_as(ExitCode.REPORT_FAILED, "report"):
        try:
            result = build_report(paths.served, paths.report, paths.exports)
        except FileNotFoundError as exc:
            raise StepError(ExitCode.REPORT_FAILED, f"report: {exc}") from exc
    print(f"report written to {result.html_path} ({len(result.exports)} segment CSVs)")
    if result.unavailable_sections:
        say(f"not available yet: {', '.join(result.unavailable_sections)}")


def print_summary(build: Path, paths: PipelinePaths) -> None:
    from models_py.pipeline.summary import format_run_warnings, format_summary, table_row_counts

    with failing_as(ExitCode.REPORT_FAILED, "summary"):
        print(format_summary(table_row_counts(build), build))
        with duckdb.connect(str(build), read_only=True) as con:
            warnings = format_run_warnings(con)
        if warnings:
            print(warnings)
    # Where users go next: the file BI tools open, and the report.
    if paths.served.exists():
        print(f"Served for BI tools and SQL (open read-only): {paths.served}")
    if (paths.report / "index.html").exists():
        print(f"Report: {paths.report / 'index.html'}")
