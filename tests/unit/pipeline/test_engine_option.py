"""`python -m models_py run|build --engine` / $ENGINE: a wrong engine and a missing Java are refused
before any data is written, with a message saying what to do (no Spark is started here)."""

from __future__ import annotations

from pathlib import Path

from helpers import make_run

from models_py.exit_codes import ExitCode


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.env["ENGINE"] = "postgres"
    refused = run("build", "--no-wait")
    assert refused.returncode == ExitCode.BAD_INPUT
    assert "ENGINE must be one of duckdb, spark, got 'postgres'" in refused.stderr
    assert not (tmp_path / "raw").exists()


def test_spark_without_java_says_what_to_install(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.env.pop("JAVA_HOME", None)
    run.env["PATH"] = str(tmp_path / "no-java-here")
    refused = run("build", "--engine", "spark", "--no-wait")
    assert refused.returncode == ExitCode.BAD_INPUT
    assert "ENGINE=spark: Spark needs Java but none was found" in refused.stderr
    assert "openjdk-17-jre-headless" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "raw").exists()
