"""The build on Spark as the bench runs it: models_py.spark.build.build_on_spark in this process,
recording when each part ends, keeping each dbt invocation's run_results.json, and noting when
each stage of the ML step ends.

    python -m bench.spark_build --raw-dir DIR --out WORK

Writes WORK/invocation_1/ and WORK/invocation_2/ (run_results.json and manifest.json of each dbt
invocation, whose target folder is DBT_TARGET_PATH) and WORK/spark_parts.json: the process's
start, the end of each part, the ML step's seconds per table and the end of each of its stages
(epoch seconds). Exit status 0 built everything, 3 (BUILD_FAILED) did not.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from models_py.exit_codes import ExitCode
from models_py.settings import DBT_PROJECT_DIR

PARTS_FILE = "spark_parts.json"
ML_STEP_LOGGER = "models_py.spark.ml_step"


class StageEnds(logging.Handler):
    """Notes the time of the ML step's 'ml step: <table> in <seconds>s' records."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.ends: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("ml step: ") and record.args:
            self.ends.append((str(record.args[0]), record.created))


class PartRecorder:
    """The build's observer: keeps each invocation's dbt artifacts and the parts' end times."""

    def __init__(self, out: Path, stage_ends: StageEnds) -> None:
        self.out, self.stage_ends = out, stage_ends
        self.record: dict = {"started_at": time.time(), "parts": [], "ml_seconds": {}}
        self.invocations = 0

    def __call__(self, name: str, timings: dict[str, float]) -> None:
        self.record["parts"].append({"name": name, "ended_at": time.time()})
        if name.startswith("dbt invocation"):
            self.invocations += 1
            kept = self.out / f"invocation_{self.invocations}"
            kept.mkdir(parents=True, exist_ok=True)
            target = Path(os.environ.get("DBT_TARGET_PATH", DBT_PROJECT_DIR / "target"))
            for artifact in ("run_results.json", "manifest.json"):
                shutil.copy2(target / artifact, kept / artifact)
        if timings:
            self.record["ml_seconds"] = timings
        self.record["ml_stage_ends"] = self.stage_ends.ends
        (self.out / PARTS_FILE).write_text(json.dumps(self.record, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spark_build", description=__doc__)
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--raw-format", choices=["csv", "parquet"], default="parquet")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    stage_ends = StageEnds()
    logger = logging.getLogger(ML_STEP_LOGGER)
    logger.setLevel(logging.INFO)
    logger.addHandler(stage_ends)
    recorder = PartRecorder(args.out.absolute(), stage_ends)
    from models_py.spark.build import SparkBuild, SparkBuildError, build_on_spark

    os.chdir(DBT_PROJECT_DIR)  # the profile's and project's relative paths start there
    try:
        build_on_spark(SparkBuild(args.raw_dir.absolute(), args.raw_format), recorder)
    except SparkBuildError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return ExitCode.BUILD_FAILED
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
