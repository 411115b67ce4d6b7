"""The Spark bench's figures: per scale, the medians of each engine's runs stage by stage, and
the Markdown table of the two side by side (wall and CPU seconds)."""

from __future__ import annotations

import statistics

from bench.spark import ML_STEP_STAGES, OVERHEAD, STAGES
from bench.stage_cpu import UNATTRIBUTED

SUB_STAGES = tuple(dict.fromkeys(ML_STEP_STAGES.values()))


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def _medians(per_run: list[dict[str, float]]) -> dict[str, float | None]:
    keys = sorted({key for run in per_run for key in run})
    return {key: _median([run.get(key, 0.0) for run in per_run]) for key in keys}


def duckdb_stages(run: dict) -> tuple[dict[str, float], dict[str, float]]:
    """Wall and CPU seconds per stage of one DuckDB run (bench.__main__.run_ours), named as
    Spark's: the time outside dbt's nodes (start-up, parse) is OVERHEAD."""
    wall = dict(run["dbt"]["stages"])
    wall[OVERHEAD] = run["dbt_build"]["seconds"] - run["dbt"]["elapsed"]
    cpu = {k: v for k, v in run["dbt"].get("stage_cpu", {}).items() if k != UNATTRIBUTED}
    cpu[OVERHEAD] = run["dbt"].get("stage_cpu", {}).get(UNATTRIBUTED, 0.0)
    for step in ("publish", "report"):
        wall[step] = run[step]["seconds"]
        cpu[step] = run[step]["tree_cpu_seconds"]
    return wall, cpu


def summarise_engines(scale: str, meta: dict, duckdb_runs: list[dict], spark_runs: list[dict]):
    """One scale's figures: row counts, and per engine the medians of its successful runs."""
    ok_duckdb = [r for r in duckdb_runs if r.get("outcome") == "ok"]
    ok_spark = [r for r in spark_runs if r.get("outcome") == "ok"]
    duckdb_split = [duckdb_stages(r) for r in ok_duckdb]
    return {
        "scale": scale,
        "customers": meta["customers"],
        "rows": meta.get("rows"),
        "duckdb": {
            "runs": len(duckdb_runs),
            "outcomes": [r.get("outcome") for r in duckdb_runs],
            "seconds": _median([r.get("seconds") for r in ok_duckdb]),
            "cpu_seconds": _median([r.get("tree_cpu_seconds") for r in ok_duckdb]),
            "build_seconds": _median([r["dbt_build"]["seconds"] for r in ok_duckdb]),
            "build_cpu_seconds": _median([r["dbt_build"]["tree_cpu_seconds"] for r in ok_duckdb]),
            "peak_rss_mib": max((r["peak_rss_mib"] for r in ok_duckdb), default=None),
            "stages": _medians([wall for wall, _ in duckdb_split]),
            "stage_cpu": _medians([cpu for _, cpu in duckdb_split]),
        },
        "spark": {
            "runs": len(spark_runs),
            "outcomes": [r.get("outcome") for r in spark_runs],
            "seconds": _median([r.get("seconds") for r in ok_spark]),
            "cpu_seconds": _median([r.get("tree_cpu_seconds") for r in ok_spark]),
            "peak_rss_mib": max((r["peak_rss_mib"] for r in ok_spark), default=None),
            "stages": _medians([r["stages"] for r in ok_spark]),
            "stage_cpu": _medians([r["stage_cpu"] for r in ok_spark]),
            "parts_seconds": _medians([r["parts_seconds"] for r in ok_spark]),
            "ml_seconds": _medians([r["ml_seconds"] for r in ok_spark]),
            "failures": sorted({f for r in ok_spark for f in r.get("failures", [])}),
            "errors": [r["error"] for r in spark_runs if r.get("error")],
        },
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _ratio(spark: float | None, duckdb: float | None) -> str:
    return f"{spark / duckdb:,.1f}" if spark and duckdb else "-"


def _row(name: str, duckdb: tuple, spark: tuple) -> str:
    (d_wall, d_cpu), (s_wall, s_cpu) = duckdb, spark
    return (
        f"| {name} | {_fmt(d_wall)} | {_fmt(s_wall)} | {_ratio(s_wall, d_wall)} | "
        f"{_fmt(d_cpu)} | {_fmt(s_cpu)} | {_ratio(s_cpu, d_cpu)} |"
    )


def scale_markdown(r: dict) -> list[str]:
    """One scale's table: every stage's wall and CPU seconds on both engines."""
    rows, duckdb, spark = r.get("rows") or {}, r["duckdb"], r["spark"]
    lines = [
        f"### {r['scale']}: {r['customers']:,} customers, {rows.get('orders', 0):,} orders, "
        f"{rows.get('order_lines', 0):,} order lines",
        "",
        "| stage | DuckDB wall s | Spark wall s | Spark / DuckDB | DuckDB CPU s | Spark CPU s "
        "| Spark / DuckDB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for stage in STAGES:
        names = [stage, *(s for s in SUB_STAGES if s.startswith(f"{stage}:"))]
        for name in names:
            label = name if name == stage else f"- {name.split(': ', 1)[1]}"
            pair = [(e["stages"].get(name), e["stage_cpu"].get(name)) for e in (duckdb, spark)]
            lines.append(_row(label, *pair))
    lines += [
        _row(
            "build (wall of the process)",
            (duckdb["build_seconds"], duckdb["build_cpu_seconds"]),
            (spark["seconds"], spark["cpu_seconds"]),
        ),
        _row(
            "end to end",
            (duckdb["seconds"], duckdb["cpu_seconds"]),
            (spark["seconds"], spark["cpu_seconds"]),
        ),
        "",
        f"Peak RSS of the process tree: DuckDB {_fmt(duckdb['peak_rss_mib'])} MiB, Spark "
        f"{_fmt(spark['peak_rss_mib'])} MiB. Runs: DuckDB {', '.join(duckdb['outcomes'])}; "
        f"Spark {', '.join(spark['outcomes'])}. Spark's parts (wall s): "
        + ", ".join(f"{k} {_fmt(v)}" for k, v in spark["parts_seconds"].items())
        + ".",
        "",
    ]
    return lines


def markdown(results: dict) -> str:
    from bench.__main__ import run_on

    lines = [
        "# Spark beside DuckDB",
        "",
        run_on(results) + "Wall seconds are summed node seconds of dbt (DuckDB runs 2 threads, "
        "Spark 1) and the ML step's seconds; CPU seconds are the process tree's (with Spark's JVM "
        "and Python workers), shared among the stages running at each moment. Medians of the "
        "runs.",
        "",
    ]
    for scale in sorted(results["scales"], key=lambda s: results["scales"][s]["customers"]):
        lines += scale_markdown(results["scales"][scale])
    return "\n".join(lines)
