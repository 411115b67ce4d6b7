"""Runs commands under the run lock, with signals turned into a clean stop and every failure
into its exit code and a one-line message."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from models_py.exit_codes import ExitCode
from models_py.pipeline import spark_steps, steps
from models_py.pipeline.children import Interrupted, signals_raise_interrupted
from models_py.pipeline.lock import Holder, LockHeldError, RunLock, new_run_id
from models_py.settings import PipelinePaths

_SIGNAL_CODES = {signal.SIGINT: ExitCode.INTERRUPTED, signal.SIGTERM: ExitCode.TERMINATED}


def locked_command(
    command: str,
    paths: PipelinePaths,
    body: Callable[[str], None],
    *,
    wait: bool,
    config: Path | None = None,
) -> ExitCode:
    """Run `body(run_id)` holding the run lock; the exit code says how it ended."""
    run_id = new_run_id()
    holder = Holder(
        run_id=run_id,
        pid=os.getpid(),
        config=str(config) if config else None,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command,
    )
    with signals_raise_interrupted():
        try:
            with RunLock(paths.lock, holder, wait=wait, say=steps.say):
                body(run_id)
        except LockHeldError as exc:
            steps.say(f"{command}: {exc}")
            return ExitCode.LOCKED
        except steps.StepError as exc:
            steps.say(str(exc))
            return exc.code
        except Interrupted as exc:
            steps.say(f"{command}: stopped by {exc}; child processes were stopped")
            return _SIGNAL_CODES[signal.Signals(exc.signum)]
        except OSError as exc:  # the lock file itself
            steps.say(f"{command}: {steps.describe_os_error(exc)}")
            return ExitCode.BAD_INPUT
    return ExitCode.OK


def build_input(
    run_id: str, paths: PipelinePaths, config: Path | None, demo: tuple[str, list[str]]
) -> steps.BuildInput:
    """Own data prepared into this run's folder, or the demo data (`demo`: format, generator
    options)."""
    if config is not None:
        return steps.prepare_own_data(config, paths, run_id)
    raw_format, generate_args = demo
    return steps.demo_data(paths, raw_format, generate_args)


def run_pipeline(
    paths: PipelinePaths,
    *,
    config: Path | None,
    demo: tuple[str, list[str]],
    wait: bool,
    through_build_only: bool = False,
    engine: str = "duckdb",
) -> ExitCode:
    """Data, `dbt build`, publish, report and summary under one run lock. On Spark (`engine`):
    data, the build on Spark and where its tables are."""

    def body(run_id: str) -> None:
        steps.artifact_runs_to_keep()
        if engine == "spark":
            spark_steps.check_spark_ready()
        prepared = build_input(run_id, paths, config, demo)
        if engine == "spark":
            spark_steps.print_spark_summary(spark_steps.spark_build(paths, prepared))
            return
        steps.dbt_build(paths, prepared)
        if through_build_only:
            return
        steps.publish_build(paths, prepared.reuse_run_id())
        steps.write_report(paths)
        steps.print_summary(paths.build, paths)

    command = "build" if through_build_only else "run"
    return locked_command(command, paths, body, wait=wait, config=config)
