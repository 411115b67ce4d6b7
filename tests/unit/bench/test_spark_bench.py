"""The Spark bench's arithmetic (bench/spark.py, spark_report.py, stage_cpu.py, capacity.py) on
handwritten inputs, and the hooks it reads from the build (part ends, the ML step's stage log).
The Spark build itself is timed by `make bench ENGINE=spark`, never here."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bench.__main__ import stage_of
from bench.capacity import Assumptions, capacity_plan, per_row_costs
from bench.measure import run_measured
from bench.spark import OVERHEAD, clock, ml_stage_intervals, spark_stages
from bench.spark_build import PARTS_FILE, PartRecorder, StageEnds
from bench.spark_report import duckdb_stages, scale_markdown
from bench.stage_cpu import UNATTRIBUTED, cpu_by_label, node_interval

SEG_DRIVER = "segmentation: driver (sample, fit)"
SEG_EXEC = "segmentation: executors (score every customer)"
PRED_DRIVER = "prediction: driver (sample, fit)"
PRED_EXEC = "prediction: executors (score every customer)"


@pytest.mark.parametrize(
    ("name", "stage"), [("customer_segments", "segmentation"), ("model_registry", "prediction")]
)
def test_the_ml_models_sql_twins_on_spark_count_as_their_stage(name, stage):
    node = {
        "resource_type": "model",
        "original_file_path": f"models/spark_ml/{name}.sql",
        "name": name,
    }
    assert stage_of(node) == stage


def test_cpu_is_shared_among_the_intervals_running_and_the_rest_is_unattributed():
    # 10 CPU-s in the first second: its first half ran a and b side by side, its second half
    # nothing; 2 CPU-s in the next second, half of it in c.
    timeline = [(0.0, 0.0), (1.0, 10.0), (2.0, 12.0)]
    cpu = cpu_by_label(timeline, [("a", 0.0, 0.5), ("b", 0.0, 0.5), ("c", 1.5, 3.0)])
    assert cpu == pytest.approx({"a": 2.5, "b": 2.5, "c": 1.0, UNATTRIBUTED: 6.0})
    assert sum(cpu.values()) == pytest.approx(12.0)


def test_a_dbt_node_spans_its_compile_and_execute_phases():
    result = {
        "timing": [
            {"started_at": "2026-12-06T08:00:00Z", "completed_at": "2026-12-06T08:00:01Z"},
            {"started_at": "2026-12-06T08:00:01Z", "completed_at": "2026-12-06T08:00:04.5Z"},
        ]
    }
    start, end = node_interval(result)
    assert end - start == pytest.approx(4.5)
    assert node_interval({"timing": []}) is None


def test_the_ml_steps_stages_follow_each_other_from_the_steps_start():
    ends = [("segment_k_selection", 12.0), ("segment_model", 13.0), ("customer_segments", 15.0)]
    assert ml_stage_intervals(10.0, ends) == [
        (SEG_DRIVER, 10.0, 12.0),
        (SEG_DRIVER, 12.0, 13.0),
        (SEG_EXEC, 13.0, 15.0),
    ]


RECORD = {
    "started_at": 0.0,
    "parts": [
        {"name": "session", "ended_at": 10.0},
        {"name": "dbt invocation 1", "ended_at": 110.0},
        {"name": "ml step", "ended_at": 140.0},
        {"name": "dbt invocation 2", "ended_at": 170.0},
    ],
    "ml_seconds": {"segment_k_selection": 8.0, "customer_segments": 2.0, "model_registry": 15.0},
    "ml_stage_ends": [
        ["segment_k_selection", 118.0],
        ["customer_segments", 120.0],
        ["model_registry", 140.0],
    ],
}
NODES = [("staging", 10.0, 50.0), ("dbt tests", 60.0, 90.0), ("segmentation", 140.0, 141.0)]


def test_spark_stage_wall_seconds_come_from_the_clock_over_the_run():
    wall = spark_stages(clock([(0.0, 0.0), (85.0, 3.0), (170.0, 9.0)]), RECORD, NODES)
    assert wall["staging"] == pytest.approx(40.0)
    assert wall[SEG_EXEC] == pytest.approx(2.0)
    assert wall["segmentation"] == pytest.approx(8.0 + 2.0 + 1.0)  # ML step and the twin's node
    # 170 s less 71 s of nodes and 30 s of ML step
    assert wall[OVERHEAD] == pytest.approx(69.0)
    assert sum(v for k, v in wall.items() if ":" not in k) == pytest.approx(170.0)


def test_spark_stage_cpu_splits_the_timeline_by_node_ml_stage_and_part():
    timeline = [(t, 2.0 * t) for t in range(0, 171)]  # two cores busy throughout
    cpu = spark_stages(timeline, RECORD, NODES)
    assert cpu["staging"] == pytest.approx(80.0)
    assert cpu[SEG_DRIVER] == pytest.approx(16.0)  # 110 to 118 s
    assert cpu["segmentation"] == pytest.approx(16.0 + 4.0 + 2.0)
    assert cpu[PRED_DRIVER] == cpu["prediction"] == pytest.approx(40.0)
    # outside nodes and the ML step: 170 s less 71 s of nodes less 30 s of ML, at 2 cores
    assert cpu[OVERHEAD] == pytest.approx(2.0 * (170 - 71 - 30))


def test_the_recorder_keeps_each_invocations_artifacts_and_the_part_ends(tmp_path, monkeypatch):
    target = tmp_path / "target"
    target.mkdir()
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    ends = StageEnds()
    recorder = PartRecorder(tmp_path / "out", ends)
    for invocation in (1, 2):
        for artifact in ("run_results.json", "manifest.json"):
            (target / artifact).write_text(json.dumps({"invocation": invocation}))
        recorder(f"dbt invocation {invocation}", {})
    recorder("ml step", {"customer_segments": 2.5})
    kept = json.loads((tmp_path / "out" / "invocation_1" / "run_results.json").read_text())
    assert kept == {"invocation": 1}
    record = json.loads((tmp_path / "out" / PARTS_FILE).read_text())
    assert [p["name"] for p in record["parts"]] == [
        "dbt invocation 1",
        "dbt invocation 2",
        "ml step",
    ]
    assert record["ml_seconds"] == {"customer_segments": 2.5}


def test_stage_ends_hears_the_ml_steps_own_stage_log():
    from models_py.spark import ml_step

    ends = StageEnds()
    logger = logging.getLogger(ml_step.__name__)
    logger.addHandler(ends)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with ml_step._stage({}, "customer_segments"):
            pass
    finally:
        logger.removeHandler(ends)
        logger.setLevel(level)
    assert [name for name, _ in ends.ends] == ["customer_segments"]


def test_run_measured_counts_the_cpu_of_the_whole_process_tree():
    # A child burns about a second of CPU; the parent only waits.
    busy = "import time; end = time.process_time() + 1.0\nwhile time.process_time() < end: pass"
    code = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"
    measured = run_measured([sys.executable, "-c", code], echo_prefix=None)
    assert measured.tree_cpu_seconds > 0.7
    times = [t for t, _ in measured.cpu_timeline]
    assert times == sorted(times)


def _scale(customers: int, lines: int, stage_cpu: dict[str, float]) -> dict:
    return {
        "rows": {"customers": customers, "order_lines": lines},
        "spark": {"stage_cpu": stage_cpu, "seconds": customers * 0.036},
    }


SMALL = _scale(
    10_000, 200_000, {"staging": 30.0, PRED_EXEC: 12.0, PRED_DRIVER: 10.0, OVERHEAD: 400}
)
LARGE = _scale(
    100_000, 2_200_000, {"staging": 70.0, PRED_EXEC: 30.0, PRED_DRIVER: 100.0, OVERHEAD: 360.0}
)


def test_per_row_costs_are_marginal_between_the_scales():
    costs = per_row_costs(SMALL, LARGE, cap=1_000_000)
    assert costs["staging"]["cpu_us_per_row"] == pytest.approx(20.0)  # 40 s / 2M lines
    assert costs[PRED_EXEC]["cpu_us_per_row"] == pytest.approx(200.0)  # 18 s / 90k customers
    assert costs[PRED_DRIVER]["method"] == "marginal"


def test_a_stage_that_did_not_grow_is_costed_at_the_large_scales_average():
    small = _scale(10_000, 200_000, {"staging": 80.0})
    costs = per_row_costs(small, _scale(100_000, 2_200_000, {"staging": 66.0}), cap=1_000_000)
    assert costs["staging"]["method"] == "average"
    assert costs["staging"]["cpu_us_per_row"] == pytest.approx(30.0)


def test_capacity_plan_sizes_executors_for_the_target_hours():
    assume = Assumptions(customers=10_000_000, order_lines=200_000_000, target_hours=1.0)
    plan = capacity_plan(SMALL, LARGE, assume)
    # staging 20 us x 200M = 4,000 s; scoring 200 us x 10M = 2,000 s: 6,000 core-s distributed
    assert plan["core_seconds"]["staging"] == 4_000
    assert plan["distributed_core_hours"] == pytest.approx(6_000 / 3600, abs=0.01)
    # at 50% efficiency one hour needs 6,000 / 1,800 = 3.3 cores: one executor of 4
    assert plan["executors"] == 1
    assert plan["hours"]["distributed"] == pytest.approx(6_000 / (4 * 0.5) / 3600, abs=0.01)
    # the driver fits a 1M sample: 1,000 us x 1M customers on 2 cores
    assert plan["driver_core_hours"] == pytest.approx(1_000 / 3600, abs=0.01)
    assert plan["hours"]["driver"] == pytest.approx(500 / 3600, abs=0.01)
    # the small scale's 360 s of wall time, paid once per build
    assert plan["hours"]["fixed (the small scale's wall)"] == pytest.approx(0.1)
    assert plan["hours"]["total"] == pytest.approx(
        plan["hours"]["distributed"] + plan["hours"]["driver"] + 0.1, abs=0.01
    )


def test_more_data_needs_more_executors():
    small_plan = capacity_plan(SMALL, LARGE, Assumptions(order_lines=200_000_000))
    big_plan = capacity_plan(SMALL, LARGE, Assumptions(order_lines=2_000_000_000))
    assert big_plan["executors"] > small_plan["executors"]


def _duckdb_run() -> dict:
    return {
        "outcome": "ok",
        "dbt_build": {"seconds": 30.0, "tree_cpu_seconds": 40.0},
        "dbt": {
            "elapsed": 24.0,
            "stages": {"staging": 2.0, "segmentation": 8.0},
            "stage_cpu": {"staging": 3.0, "segmentation": 12.0, UNATTRIBUTED: 7.0},
        },
        "publish": {"seconds": 1.0, "tree_cpu_seconds": 1.5},
        "report": {"seconds": 2.0, "tree_cpu_seconds": 2.5},
    }


def test_duckdb_stages_name_dbts_start_up_as_the_overhead():
    wall, cpu = duckdb_stages(_duckdb_run())
    assert wall[OVERHEAD] == 6.0 and cpu[OVERHEAD] == 7.0
    assert cpu["publish"] == 1.5 and "unattributed" not in cpu


def test_the_table_sets_each_stage_of_both_engines_side_by_side():
    wall, cpu = duckdb_stages(_duckdb_run())
    engines = {
        "duckdb": {"stages": wall, "stage_cpu": cpu, "build_seconds": 30.0},
        "spark": {"stages": {"staging": 20.0, SEG_EXEC: 4.0}, "stage_cpu": {"staging": 30.0}},
    }
    for engine in engines.values():
        engine.update(outcomes=["ok"], peak_rss_mib=1.0, parts_seconds={}, seconds=1.0)
        engine.setdefault("build_seconds", None)
        engine.update(cpu_seconds=1.0, build_cpu_seconds=None)
    lines = scale_markdown({"scale": "S", "customers": 10, "rows": {}, **engines})
    assert "| staging | 2.0 | 20.0 | 10.0 | 3.0 | 30.0 | 10.0 |" in lines
    assert "| - executors (score every customer) | - | 4.0 | - | - | - | - |" in lines
