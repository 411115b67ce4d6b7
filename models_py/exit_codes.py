"""The exit statuses of the pipeline's commands: one table that the runner, every command and the
README's table read from."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Why a command stopped. The docstring of each member is its one-line meaning."""

    OK = 0
    BAD_INPUT = 2
    BUILD_FAILED = 3
    PUBLISH_FAILED = 4
    REPORT_FAILED = 5
    LOCKED = 6
    INTERRUPTED = 130
    TERMINATED = 143


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "the run finished: the served file, report and exports are this run's",
    ExitCode.BAD_INPUT: "bad input or config (the message names the file, key or row); "
    "nothing was replaced",
    ExitCode.BUILD_FAILED: "`dbt build` failed; the served file was left unchanged",
    ExitCode.PUBLISH_FAILED: "publish refused or failed (no complete successful build, "
    "disk full or read-only); the served file was left unchanged",
    ExitCode.REPORT_FAILED: "the report or the segment exports could not be written",
    ExitCode.LOCKED: "another run holds the run lock and --no-wait was given",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C, SIGINT); child processes were stopped",
    ExitCode.TERMINATED: "terminated (SIGTERM); child processes were stopped",
}


def markdown_table() -> str:
    """The README's table of exit statuses."""
    lines = ["| exit status | meaning |", "| --- | --- |"]
    lines += [f"| {int(code)} | {MEANINGS[code]} |" for code in ExitCode]
    return "\n".join(lines)
