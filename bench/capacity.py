"""A Spark cluster sized from the Spark bench's measured CPU per stage (spark_results.json).

    python -m bench.capacity [--results warehouse/bench/spark_results.json] [--small S --large M]

Per stage, the CPU seconds each extra row costs: the difference between two scales' CPU over the
difference in the rows that drive the stage (order lines for the SQL over lines, customers for
scoring and reporting), so fixed costs (start-up, per-node overhead) cancel. The fits on the
driver see at most the sample cap of customers, whatever the data. Those costs times the target
data give core-seconds; executors and hours follow from the stated assumptions (`Assumptions`).
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.spark import ML_STEP_STAGES
from models_py.settings import SparkMlSettings

# What each stage's work grows with: order lines or customers on the executors, or the driver's
# sample (customers up to the cap, on one machine).
LINES, CUSTOMERS, DRIVER = "order_lines", "customers", "driver sample"
STAGE_DRIVERS = {
    "staging": LINES,
    "intermediate": LINES,
    "marts": LINES,
    "dbt tests": LINES,
    "reporting": CUSTOMERS,
    **{
        stage: DRIVER if ": driver" in stage else CUSTOMERS
        for stage in dict.fromkeys(ML_STEP_STAGES.values())
    },
}


@dataclass(frozen=True)
class Assumptions:
    """What the plan assumes beyond the measurements."""

    customers: int = 100_000_000
    order_lines: int = 2_000_000_000
    driver_sample_rows: int = SparkMlSettings().driver_sample_rows
    # Share of the executors' cores doing useful work: network shuffles (none in local mode),
    # skew, stragglers, task scheduling.
    parallel_efficiency: float = 0.5
    executor_cores: int = 4
    # Memory per core enough for a task to sort its shuffle blocks without spilling.
    executor_memory_gib: int = 16
    # Wall hours wanted for the distributed stages (the driver's fits come on top).
    target_hours: float = 1.0
    # Cores the driver's fits keep busy (model_registry fits two models at a time).
    driver_parallelism: float = 2.0


def _rows(scale: dict, driver: str, cap: int) -> int:
    rows = scale["rows"]
    if driver == LINES:
        return rows["order_lines"]
    return min(rows["customers"], cap) if driver == DRIVER else rows["customers"]


def per_row_costs(small: dict, large: dict, cap: int) -> dict[str, dict]:
    """Per stage: the rows driving it at each scale, its CPU at each scale, and its marginal
    CPU microseconds per row between the scales (the large scale's average per row where the
    difference is not positive: noise bigger than the growth)."""
    costs = {}
    for stage, driver in STAGE_DRIVERS.items():
        rows = (_rows(small, driver, cap), _rows(large, driver, cap))
        cpu = (small["spark"]["stage_cpu"].get(stage), large["spark"]["stage_cpu"].get(stage))
        if cpu[1] is None:
            continue
        growth = cpu[1] - (cpu[0] or 0.0)
        marginal = growth > 0 and rows[1] > rows[0]
        per_row = growth / (rows[1] - rows[0]) if marginal else cpu[1] / rows[1]
        costs[stage] = {
            "driven_by": driver,
            "rows": rows,
            "cpu_seconds": cpu,
            "cpu_us_per_row": round(per_row * 1e6, 3),
            "method": "marginal" if marginal else "average",
        }
    return costs


def capacity_plan(small: dict, large: dict, assume: Assumptions = Assumptions()) -> dict:
    """Core-seconds per stage at the target size, the executors that do the distributed ones in
    ``assume.target_hours``, and the expected hours with the driver's fits and the overhead."""
    costs = per_row_costs(small, large, assume.driver_sample_rows)
    target = {
        LINES: assume.order_lines,
        CUSTOMERS: assume.customers,
        DRIVER: min(assume.customers, assume.driver_sample_rows),
    }
    core_seconds = {
        stage: cost["cpu_us_per_row"] / 1e6 * target[cost["driven_by"]]
        for stage, cost in costs.items()
    }
    distributed = sum(s for stage, s in core_seconds.items() if costs[stage]["driven_by"] != DRIVER)
    driver = sum(s for stage, s in core_seconds.items() if costs[stage]["driven_by"] == DRIVER)
    useful_core_seconds = assume.target_hours * 3600 * assume.parallel_efficiency
    executors = max(1, math.ceil(distributed / useful_core_seconds / assume.executor_cores))
    cores = executors * assume.executor_cores
    distributed_hours = distributed / (cores * assume.parallel_efficiency) / 3600
    driver_hours = driver / assume.driver_parallelism / 3600
    # The small scale's whole wall time is nearly all per-node latency (a Spark job, a catalog
    # look-up, a Parquet commit per model or test), which more executors do not shorten.
    fixed_hours = (small["spark"].get("seconds") or 0.0) / 3600
    return {
        "assumptions": asdict(assume),
        "per_row": costs,
        "core_seconds": {stage: round(s) for stage, s in core_seconds.items()},
        "distributed_core_hours": round(distributed / 3600, 2),
        "driver_core_hours": round(driver / 3600, 2),
        "executors": executors,
        "executor_cores": cores,
        "executor_memory_gib": executors * assume.executor_memory_gib,
        "hours": {
            "distributed": round(distributed_hours, 2),
            "driver": round(driver_hours, 2),
            "fixed (the small scale's wall)": round(fixed_hours, 2),
            "total": round(distributed_hours + driver_hours + fixed_hours, 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__)
    parser.add_argument("--results", type=Path, default=Path("warehouse/bench/spark_results.json"))
    parser.add_argument("--small", default="S")
    parser.add_argument("--large", default="M")
    args = parser.parse_args(argv)
    scales = json.loads(args.results.read_text())["scales"]
    plan = capacity_plan(scales[args.small], scales[args.large])
    print(json.dumps(plan, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
