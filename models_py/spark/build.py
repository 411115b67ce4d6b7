"""`dbt build` on the local Spark session, in this one process (the Derby metastore admits one).

dbt-spark runs no Python models in session mode, so the build has three parts: invocation 1
builds and tests everything upstream of the ML tables; the ML step reads the Spark tables and
writes `ml_step__<model>` tables; invocation 2 builds the ML models' SQL twins (tag
`ml_step_output`, a `select *` of those tables under the Python models' names) and everything
downstream, with their tests.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models_py.settings import DBT_PROJECT_DIR, ROOT, env_path, project_vars
from models_py.spark.raw_tables import register_raw_tables
from models_py.spark.session import local_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ML_STEP_OUTPUT_TAG = "ml_step_output"
SPARK_TARGET = "spark"
# Called after each part of the build with its name and, for the ML step, its stages' seconds.
PartDone = Callable[[str, dict[str, float]], None]


def _ignore_part(name: str, timings: dict[str, float]) -> None:
    """No observer of the build's parts."""


class SparkBuildError(RuntimeError):
    """A part of the build on Spark failed; the message says which."""


@dataclass(frozen=True)
class SparkBuild:
    """What one build on Spark reads: the raw folder, its format, dbt --vars (JSON or None)."""

    raw_dir: Path
    raw_format: str
    dbt_vars: str | None = None

    def vars_dict(self) -> dict[str, Any]:
        """The project's vars with this build's --vars on top (what the ML step is given)."""
        return {**project_vars(), **(json.loads(self.dbt_vars) if self.dbt_vars else {})}


def spark_schema() -> str:
    """The schema (Spark database) dbt writes to: the profile's, CA_SPARK_SCHEMA."""
    return os.environ.get("CA_SPARK_SCHEMA", "customer_analytics")


def dbt_invoke(build: SparkBuild, selection: list[str]) -> None:
    """One `dbt build` on the spark target, in this process (so on this process's session)."""
    from dbt.cli.main import dbtRunner

    args = ["build", "--target", SPARK_TARGET, "--project-dir", str(DBT_PROJECT_DIR)]
    args += ["--profiles-dir", os.environ.get("DBT_PROFILES_DIR", str(ROOT)), *selection]
    if build.dbt_vars:
        args += ["--vars", build.dbt_vars]
    result = dbtRunner().invoke(args)
    if not result.success:
        raise SparkBuildError(f"dbt build on Spark failed ({' '.join(selection)})")


def start_with_raw_tables(build: SparkBuild) -> SparkSession:
    """The local session, with the build's raw files registered as tables."""
    spark = local_session()
    registered = register_raw_tables(spark, build.raw_dir, build.raw_format)
    print(f"raw tables on Spark: {', '.join(registered)}", file=sys.stderr, flush=True)
    return spark


def build_selection_on_spark(build: SparkBuild, selection: list[str]) -> None:
    """One `dbt build` of a selection (dbt --select/--exclude options); no ML step."""
    start_with_raw_tables(build)
    dbt_invoke(build, selection)


def build_on_spark(build: SparkBuild, part_done: PartDone = _ignore_part) -> None:
    """The whole build: invocation 1, the ML step, invocation 2; ``part_done`` is told when each
    part (session, dbt invocation 1, ml step, dbt invocation 2) ends (the bench times them)."""
    spark = start_with_raw_tables(build)
    part_done("session", {})
    dbt_invoke(build, ["--exclude", f"tag:{ML_STEP_OUTPUT_TAG}+"])
    part_done("dbt invocation 1", {})
    from models_py.spark.ml_step import run_ml_step

    timings = run_ml_step(
        spark,
        schema=spark_schema(),
        dbt_vars=build.vars_dict(),
        artifacts_dir=env_path("CA_ARTIFACTS_DIR"),
    )
    part_done("ml step", timings)
    dbt_invoke(build, ["--select", f"tag:{ML_STEP_OUTPUT_TAG}+"])
    part_done("dbt invocation 2", {})
