"""The ML step on Spark beside the same models on DuckDB, stage by stage, on one built warehouse.

    python -m bench.spark_ml --build warehouse/bench/S/build.duckdb [--max-result-size 1m]

Copies the ML step's input tables of a DuckDB build (customer_features, the snapshots, ml_run,
segment_definitions) into a local Spark session through Parquet, runs
models_py.spark.ml_step.run_ml_step, and prints one JSON line per ML table: Spark's seconds and
DuckDB's (the dbt Python model's execution time in <build dir>/target/run_results.json), plus
the customers and snapshot rows, so per-row costs follow.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb


def local_spark(work: Path, max_result_size: str):
    """The local session with its tables and metastore in ``work``, its driver limited to
    ``max_result_size`` of results."""
    from models_py.spark.session import local_session

    return local_session(work, {"spark.driver.maxResultSize": max_result_size})


def copy_inputs(spark, build: Path, schema: str, work: Path) -> dict[str, int]:
    """The input tables of ``build`` as Spark tables of ``schema``; returns their row counts."""
    from models_py.spark.ml_step import ML_STEP_INPUTS

    spark.sql(f"create database if not exists {schema}")
    rows = {}
    with duckdb.connect(str(build), read_only=True) as con:
        for name in ML_STEP_INPUTS:
            path = work / f"{name}.parquet"
            con.execute(f"copy (select * from {name}) to '{path}' (format parquet)")
            rows[name] = con.execute(f"select count(*) from {name}").fetchone()[0]
            spark.read.parquet(str(path)).write.mode("overwrite").saveAsTable(f"{schema}.{name}")
    return rows


def duckdb_seconds(build: Path) -> dict[str, float]:
    """Execution seconds of each model of the build's last dbt invocation."""
    results = json.loads((build.parent / "target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True, help="a built DuckDB warehouse")
    parser.add_argument("--max-result-size", default="64m", help="spark.driver.maxResultSize")
    args = parser.parse_args()
    from models_py.spark.ml_step import run_ml_step

    with tempfile.TemporaryDirectory(prefix="spark-ml-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        spark = local_spark(work, args.max_result_size)
        session_seconds = time.perf_counter() - started
        rows = copy_inputs(spark, args.build.resolve(), "bench", work)
        timings = run_ml_step(spark, schema="bench", dbt_vars={}, artifacts_dir=work / "art")
        spark.stop()
    duckdb_times = duckdb_seconds(args.build.resolve())
    print(json.dumps({"session_start_seconds": round(session_seconds, 1), "rows": rows}))
    for model, seconds in timings.items():
        line = {"model": model, "spark_seconds": round(seconds, 2)}
        line["duckdb_seconds"] = round(duckdb_times.get(model, float("nan")), 2)
        print(json.dumps(line))


if __name__ == "__main__":
    main()
