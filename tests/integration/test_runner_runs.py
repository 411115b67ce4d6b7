"""Whole runs of `python -m models_py` on generated data: own data in a run-private folder,
refusals after a failed build, signals passed on to dbt, and a repository folder whose name has a
space and an apostrophe."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import DBT, Run, generate, make_run
from helpers import ROOT as REPO_ROOT

from models_py.exit_codes import ExitCode

pytestmark = pytest.mark.integration

ROOT = REPO_ROOT
CUSTOMERS = 250


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("demo") / "raw"
    generate(raw, CUSTOMERS, 11)
    return raw


@dataclass(frozen=True)
class OwnDataRun:
    run: Run
    holder: str  # the run lock's content while the run was going
    second: subprocess.CompletedProcess[str]  # `run --no-wait` started meanwhile


@pytest.fixture(scope="module")
def own_data_run(tmp_path_factory: pytest.TempPathFactory) -> OwnDataRun:
    """A whole run on the byod flat sample: prepared into its own folder, built, published;
    while it runs, a second run with --no-wait is started on the same warehouse."""
    root = tmp_path_factory.mktemp("own")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "models_py.byod",
            "sample",
            "--shape",
            "flat",
            "--out",
            str(root / "input"),
            "--customers",
            str(CUSTOMERS),
        ],
        check=True,
        capture_output=True,
    )
    run = make_run(root / "warehouse")
    config = str(root / "input" / "config.yml")
    log = root / "first.stderr"
    with log.open("w") as first_stderr:
        first = run.start("run", "--config", config, stderr=first_stderr)
    lock = run.build.with_name(run.build.name + ".run.lock")
    deadline = time.monotonic() + 60
    while not (lock.is_file() and lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    holder = lock.read_text()
    second = run("run", "--no-wait", "--config", config)
    assert first.wait(timeout=600) == ExitCode.OK, log.read_text()[-4000:]
    return OwnDataRun(run=run, holder=holder, second=second)


def test_a_second_run_meanwhile_refuses_naming_the_first(own_data_run: OwnDataRun) -> None:
    first = json.loads(own_data_run.holder)
    second = own_data_run.second
    assert second.returncode == ExitCode.LOCKED
    assert f"run {first['run_id']} (run, config {first['config']}" in second.stderr


def _prepared_folders(run: Run) -> list[Path]:
    return sorted((run.work / "prepared").iterdir())


def test_own_data_run_prepares_into_its_own_folder(own_data_run, tmp_path: Path) -> None:
    run = own_data_run.run
    (prepared,) = _prepared_folders(run)
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", prepared.name)
    assert (prepared / "dbt_vars.json").is_file()
    served_before = run.served.read_bytes()
    # a second run whose config is bad stops before anything is replaced, with byod's message
    bad = tmp_path / "bad.yml"
    bad.write_text("shape: flat\nfiles: {lines: missing.csv}\n", encoding="utf-8")
    refused = run("run", "--config", str(bad))
    assert refused.returncode == ExitCode.BAD_INPUT
    assert "error: " in refused.stderr and "nothing was written" in refused.stderr
    assert _prepared_folders(run) == [prepared]
    assert run.served.read_bytes() == served_before


@pytest.mark.skipif(
    not Path("/sys/kernel").is_dir(), reason="needs sysfs, where no file can be made"
)
def test_report_to_an_unwritable_place_fails_with_its_own_status(own_data_run) -> None:
    run = own_data_run.run
    failed = run("report", "--out", "/sys/ca-report")
    assert failed.returncode == ExitCode.REPORT_FAILED
    assert "cannot write /sys/ca-report" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_failed_build_then_docs_then_publish_is_refused(
    own_data_run, demo_raw: Path, tmp_path: Path
) -> None:
    good = own_data_run.run
    run = make_run(tmp_path / "warehouse", raw_dir=tmp_path / "raw")
    shutil.copytree(demo_raw, tmp_path / "raw")
    shutil.copy(good.served, run.served)
    served_before = run.served.read_bytes()
    (tmp_path / "raw" / "order_lines.csv").unlink()  # staging of order lines fails
    failed = run("run")
    assert failed.returncode == ExitCode.BUILD_FAILED, failed.stderr[-4000:]
    docs = subprocess.run(
        [str(DBT), "docs", "generate"],
        cwd=ROOT / "dbt_project",
        env=run.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert docs.returncode == 0, docs.stdout[-4000:]
    refused = run("publish")
    assert refused.returncode == ExitCode.PUBLISH_FAILED
    assert "not left by a complete, successful `dbt build`" in refused.stderr
    assert run.served.read_bytes() == served_before


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _dbt_child(runner: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for child in _children(runner.pid):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if any(part.endswith(b"/dbt") for part in cmdline):
                return child
        assert runner.poll() is None, runner.stderr.read()
        time.sleep(0.2)
    raise AssertionError("the runner never started dbt")


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _running(pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_to_the_runner_stops_dbt(demo_raw: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, raw_dir=demo_raw)
    runner = run.start("build")
    dbt = _dbt_child(runner)
    time.sleep(3)
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=60) == ExitCode.TERMINATED
    assert "stopped by SIGTERM" in runner.stderr.read()
    assert not _running(dbt)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_dbt_dies_with_a_killed_runner_and_the_next_run_takes_over(
    demo_raw: Path, tmp_path: Path
) -> None:
    run = make_run(tmp_path, raw_dir=demo_raw)
    runner = run.start("build")
    dbt = _dbt_child(runner)
    time.sleep(3)
    runner.kill()
    runner.wait()
    assert _gone_within(dbt, 30)
    result = run("publish", "--no-wait")
    assert "taking over the run lock left by run" in result.stderr
    assert result.returncode == ExitCode.PUBLISH_FAILED  # the killed build left no marker


def test_make_run_in_a_folder_named_with_a_space_and_an_apostrophe(tmp_path: Path) -> None:
    repo = tmp_path / "it's a dir"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
        elif source.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(source), repo / name)
    # this checkout's virtualenv, with the copy's code first on the path (no new venv in tests)
    os.symlink(ROOT / ".venv", repo / ".venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CA_", "DBT_", "MAKE"))}
    env["PYTHONPATH"] = str(repo)
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", "run", f"CUSTOMERS={CUSTOMERS}", "SEED=3"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (repo / "warehouse" / "analytics.duckdb").is_file()
    assert (repo / "warehouse" / "report" / "index.html").is_file()
    outside = sorted(p.name for p in tmp_path.iterdir())
    assert outside == ["it's a dir"], "files written outside the repo"
