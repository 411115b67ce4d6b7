"""The Spark engine's steps of a run: the Java check, and the build on the local Spark session
as a child process (models_py.spark: dbt invocation 1, the ML step, invocation 2)."""

from __future__ import annotations

import sys
from pathlib import Path

from models_py.exit_codes import ExitCode
from models_py.pipeline.children import run_child
from models_py.pipeline.steps import BuildInput, StepError, dbt_environment, failing_as, say
from models_py.settings import DBT_PROJECT_DIR, PipelinePaths, env_path

ENGINES = ("duckdb", "spark")


def check_spark_ready() -> None:
    """Java 17+ is there (Spark runs on it); else a StepError saying what to install."""
    from models_py.spark.session import JavaMissingError, check_java

    try:
        check_java()
    except JavaMissingError as exc:
        raise StepError(ExitCode.BAD_INPUT, f"ENGINE=spark: {exc}") from exc


def spark_build(paths: PipelinePaths, build_input: BuildInput) -> Path:
    """The build on Spark; returns the folder holding the tables (Parquet, one folder each)."""
    command = [sys.executable, "-m", "models_py.spark", "--raw-dir", str(build_input.raw_dir)]
    command += ["--raw-format", build_input.raw_format]
    if build_input.dbt_vars:
        command += ["--vars", build_input.dbt_vars]
    env = dbt_environment(paths, build_input)
    spark_dir = env_path("CA_SPARK_DIR")
    env["CA_SPARK_DIR"] = str(spark_dir)
    with failing_as(ExitCode.BUILD_FAILED, "dbt build on Spark"):
        spark_dir.mkdir(parents=True, exist_ok=True)
        status = run_child(command, cwd=DBT_PROJECT_DIR, env=env)
    if status != 0:
        raise StepError(
            ExitCode.BUILD_FAILED,
            f"the build on Spark failed (exit status {status}); the log above says which "
            "model, test or step",
        )
    return spark_dir / "tables"


def print_spark_summary(tables_dir: Path) -> None:
    """Where the Spark tables are, one folder of Parquet files per table."""
    schemas = sorted(path for path in tables_dir.glob("*.db") if path.is_dir())
    for schema in schemas:
        tables = sorted(path.name for path in schema.iterdir() if path.is_dir())
        print(f"Spark tables (Parquet) in {schema}: {len(tables)}: {', '.join(tables)}")
    say(
        "publish and the report read the DuckDB build; on Spark, read the tables through the "
        "metastore (python -c 'from models_py.spark.session import local_session; ...') or "
        "the Parquet folders above"
    )
