"""The pipeline runner (`python -m models_py`): one run lock per warehouse, distinct exit
statuses, leftovers cleaned up, clear messages for unwritable places. Whole runs on generated data
are tests/integration/test_runner_runs.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT as REPO_ROOT
from helpers import Run, make_build, make_run

from models_py.exit_codes import ExitCode, markdown_table

ROOT = REPO_ROOT
CUSTOMERS = 250


# A process holding the run lock of a warehouse until its stdin closes (or it is killed).
HOLDER = """
import os, sys
from pathlib import Path
from models_py.pipeline.lock import Holder, RunLock
holder = Holder(sys.argv[2], os.getpid(), "a.yml", "2026-01-01T00:00:00+00:00", "run")
with RunLock(Path(sys.argv[1]), holder, wait=False, say=print):
    print("holding", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator:
    holders: list[subprocess.Popen[str]] = []

    def hold(run: Run, run_id: str) -> subprocess.Popen[str]:
        lock = run.build.with_name(run.build.name + ".run.lock")
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(lock), run_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "holding"
        holders.append(proc)
        return proc

    yield hold
    for proc in holders:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_second_run_refuses_with_no_wait_naming_the_run_that_holds_the_lock(
    tmp_path: Path, lock_holder
) -> None:
    run = make_run(tmp_path)
    make_build(run.build, 1)
    lock_holder(run, "20260101T000000Z-aaaaaa")
    refused = run("publish", "--no-wait")
    assert refused.returncode == ExitCode.LOCKED
    assert "run 20260101T000000Z-aaaaaa (run, config a.yml" in refused.stderr
    assert not run.served.exists()


def test_second_run_waits_for_the_first_then_goes_on(tmp_path: Path, lock_holder) -> None:
    run = make_run(tmp_path)
    make_build(run.build, 1)
    first = lock_holder(run, "20260101T000000Z-bbbbbb")
    second = run.start("publish")
    message = second.stderr.readline()
    assert "waiting for run 20260101T000000Z-bbbbbb" in message
    time.sleep(1)
    assert second.poll() is None and not run.served.exists()
    first.stdin.close()  # the first run ends
    assert second.wait(timeout=60) == ExitCode.OK
    assert run.served.exists()


def test_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path, lock_holder) -> None:
    run = make_run(tmp_path)
    make_build(run.build, 1)
    killed = lock_holder(run, "20260101T000000Z-cccccc")
    killed.kill()
    killed.wait()
    result = run("publish", "--no-wait")
    assert result.returncode == ExitCode.OK, result.stderr
    assert re.search(
        r"taking over the run lock left by run 20260101T000000Z-cccccc .*process is gone",
        result.stderr,
    )


def test_publish_keeps_the_newest_artifact_runs_and_those_the_served_file_uses(
    tmp_path: Path,
) -> None:
    run = make_run(tmp_path)
    make_build(run.build, 1)
    with duckdb.connect(str(run.build)) as con:
        con.execute(
            "create table model_registry as select 'run-0' as run_id, 'run-1' as fitted_run_id"
        )
    for age in range(8):  # run-0 is the oldest
        folder = run.work / "artifacts" / f"run-{age}" / "prediction"
        folder.mkdir(parents=True)
        stamp = time.time() - 1000 + age
        os.utime(folder, (stamp, stamp))
        os.utime(folder.parent, (stamp, stamp))
    run.env["CA_KEEP_ARTIFACT_RUNS"] = "3"
    assert run("publish").returncode == ExitCode.OK
    kept = sorted(p.name for p in (run.work / "artifacts").iterdir())
    assert kept == ["run-0", "run-1", "run-5", "run-6", "run-7"]
    run.env["CA_KEEP_ARTIFACT_RUNS"] = "none"
    refused = run("publish")
    assert refused.returncode == ExitCode.BAD_INPUT
    assert "CA_KEEP_ARTIFACT_RUNS='none'" in refused.stderr
    # a whole run checks the setting before it makes data or builds anything
    assert run("run").returncode == ExitCode.BAD_INPUT
    assert not (run.work / "raw").exists()


@pytest.mark.skipif(
    not Path("/sys/kernel").is_dir(), reason="needs sysfs, where no file can be made"
)
def test_an_unwritable_place_gives_a_message_naming_it_not_a_traceback(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    make_build(run.build, 1)
    refused = run("publish", "--served", "/sys/ca-served/analytics.duckdb")
    assert refused.returncode == ExitCode.PUBLISH_FAILED
    assert "cannot write /sys/ca-served" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_readme_lists_every_exit_status() -> None:
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")
    help_text = subprocess.run(
        [sys.executable, "-m", "models_py", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert all(f"{int(code):>3}  " in help_text for code in ExitCode)
    assert len({int(code) for code in ExitCode}) == len(ExitCode)


# --- end to end: real dbt builds ------------------------------------------------------------
