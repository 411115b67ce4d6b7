"""`make bench ENGINE=spark`: the build on a local Spark session beside the DuckDB build, stage by
stage, on the same generated data, in one invocation (so both see the same load on the machine).

Per scale: the DuckDB build as `make bench` runs it (bench.__main__.run_ours), then the build on
Spark (bench/spark_build.py: dbt invocation 1, the ML step, dbt invocation 2), each with wall
seconds and CPU seconds per stage (CPU of the whole process tree, Spark's JVM and Python workers
included, shared among the stages running at each moment: bench/stage_cpu.py). Writes
<bench-dir>/spark_results.json and spark_results.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.measure import run_measured
from bench.spark_build import PARTS_FILE
from bench.stage_cpu import UNATTRIBUTED, Interval, cpu_by_label

# The ML step's tables, by the stage they belong to and where the work runs: fits on the driver's
# seeded sample, scoring of every customer on the executors.
ML_STEP_STAGES = {
    "segment_k_selection": "segmentation: driver (sample, fit)",
    "segment_model": "segmentation: driver (sample, fit)",
    "customer_segments": "segmentation: executors (score every customer)",
    "model_registry": "prediction: driver (sample, fit)",
    "model_metrics": "prediction: driver (sample, fit)",
    "model_calibration": "prediction: driver (sample, fit)",
    "model_feature_importance": "prediction: driver (sample, fit)",
    "customer_predictions": "prediction: executors (score every customer)",
    "prediction_evaluation": "prediction: driver (sample, fit)",
}
# The rows of the comparison, in pipeline order; sub-stages of the ML step follow their stage.
STAGES = (
    "start-up and dbt overhead",
    "staging",
    "intermediate",
    "marts",
    "segmentation",
    "prediction",
    "reporting",
    "dbt tests",
    "other",
    "publish",
    "report",
)
# Time outside any node or ML stage: the Spark session's start and the raw tables' registration,
# dbt's parse, catalog look-ups and scheduling between nodes.
OVERHEAD = "start-up and dbt overhead"
TIMELINE_FILE = "cpu_timeline.json"
DBT_PARTS = ("dbt invocation 1", "dbt invocation 2")


def ml_sub_stage(table: str) -> str:
    """The sub-stage of the ML step that writes ``table`` ('<stage>: driver|executors (...)')."""
    return ML_STEP_STAGES.get(table, "prediction: driver (sample, fit)")


def ml_stage_intervals(started_at: float, stage_ends: list[tuple[str, float]]) -> list[Interval]:
    """The ML step's stages as intervals: each from the previous stage's end (the first from the
    step's start) to its own end, labelled with its sub-stage."""
    intervals, start = [], started_at
    for table, ended_at in stage_ends:
        intervals.append((ml_sub_stage(table), start, ended_at))
        start = ended_at
    return intervals


def part_intervals(record: dict) -> list[Interval]:
    """The build's parts (session, dbt invocation 1, ml step, dbt invocation 2) as intervals."""
    intervals, start = [], record["started_at"]
    for part in record["parts"]:
        intervals.append((part["name"], start, part["ended_at"]))
        start = part["ended_at"]
    return intervals


def clock(timeline: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A timeline of the wall clock over ``timeline``'s span: one second a second."""
    if not timeline:
        return []
    (start, _), (end, _) = timeline[0], timeline[-1]
    return [(start, 0.0), (end, end - start)]


def spark_stages(
    timeline: list[tuple[float, float]], record: dict, node_intervals: list[Interval]
) -> dict[str, float]:
    """What ``timeline`` counts (CPU seconds, or wall seconds for ``clock(timeline)``) per stage:
    dbt's nodes by stage, the ML step's sub-stages (each also added to its stage), and OVERHEAD,
    all the rest (the session's start, dbt's parse and the time between nodes, the process's
    start and exit). The stages sum to the timeline's total."""
    ml_start = next(
        (end for name, _, end in part_intervals(record) if name == "dbt invocation 1"), None
    )
    ml = ml_stage_intervals(ml_start, record.get("ml_stage_ends", [])) if ml_start else []
    totals = cpu_by_label(timeline, [*node_intervals, *ml])
    parts = cpu_by_label(timeline, part_intervals(record))
    nodes = sum(totals.get(label, 0.0) for label in {label for label, _, _ in node_intervals})
    totals.pop(UNATTRIBUTED, None)
    outside_ml = sum(parts.get(name, 0.0) for name in ("session", *DBT_PARTS, UNATTRIBUTED))
    totals[OVERHEAD] = outside_ml - nodes
    for sub in {label for label, _, _ in ml}:
        top = sub.split(":")[0]
        totals[top] = totals.get(top, 0.0) + totals[sub]
    return totals


def run_spark(raw_dir: Path, work: Path) -> dict:
    """One build on Spark into ``work``: wall and CPU seconds per stage and per part."""
    from bench.__main__ import BIN, ROOT, _summary, fresh, log, ours_env

    fresh(work)
    env = ours_env(raw_dir, work)
    env.update(
        CA_SPARK_DIR=str(work / "spark"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    log("spark: dbt invocation 1, ML step, dbt invocation 2")
    command = [str(BIN / "python"), "-m", "bench.spark_build", "--raw-dir", str(raw_dir)]
    measured = run_measured([*command, "--out", str(work)], env=env, cwd=ROOT, echo_prefix="  ")
    run = _summary(measured)
    (work / TIMELINE_FILE).write_text(json.dumps(measured.cpu_timeline))
    if measured.outcome != "ok":
        run["error"] = measured.lines[-5:]
        return run
    return read_spark_run(work, run)


def read_spark_run(work: Path, run: dict) -> dict:
    """``run`` with the stages of the Spark build in ``work`` (its parts, dbt artifacts and CPU
    timeline): wall and CPU seconds per stage and per part, dbt's failures."""
    from bench.__main__ import read_run_results as read_invocation
    from bench.__main__ import rounded, stage_intervals

    timeline = [tuple(sample) for sample in json.loads((work / TIMELINE_FILE).read_text())]
    record = json.loads((work / PARTS_FILE).read_text())
    folders = [work / f"invocation_{i}" for i in (1, 2)]
    invocations = [read_invocation(folder) for folder in folders]
    nodes = [interval for folder in folders for interval in stage_intervals(folder)]
    run["stages"] = rounded(spark_stages(clock(timeline), record, nodes))
    run["stage_cpu"] = rounded(spark_stages(timeline, record, nodes))
    run["parts_seconds"] = rounded({n: e - s for n, s, e in part_intervals(record)})
    run["ml_seconds"] = rounded(record["ml_seconds"])
    run["dbt_elapsed"] = [invocation["elapsed"] for invocation in invocations]
    run["failures"] = [f for invocation in invocations for f in invocation["failures"]]
    run["slowest_nodes"] = {**invocations[0]["slowest"], **invocations[1]["slowest"]}
    return run


def bench_spark_scale(scale: str, args, bench_dir: Path) -> dict:
    """One scale on both engines, alternately (``args.repeats`` times each, default once)."""
    from bench.__main__ import SCALES, ensure_data, log, run_ours
    from bench.spark_report import summarise_engines

    customers = args.customers or SCALES[scale]
    data_dir = bench_dir / "data" / scale
    meta = ensure_data(data_dir, customers, args.seed)
    work = bench_dir / "work" / scale
    duckdb_runs, spark_runs = [], []
    repeats = args.repeats or 1
    for i in range(repeats):
        log(f"{scale}: DuckDB and Spark, repeat {i + 1}/{repeats}")
        duckdb_runs.append(run_ours(data_dir, work / "ours"))
        spark_runs.append(run_spark(data_dir, work / "spark"))
    return summarise_engines(scale, meta, duckdb_runs, spark_runs)
