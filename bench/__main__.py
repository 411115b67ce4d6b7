"""`make bench`: the whole pipeline side by side with the pandas way and the floor query.

    python -m bench --scales S,M [--repeats N] [--bench-dir warehouse/bench]

Per scale: generate the demo data as Parquet into <bench-dir>/data/<scale> (reused when present
with the same customers and seed), then, on the same files, N times each (median reported):
ours (one `dbt build` + publish + report, per-stage times from run_results.json, peak RSS of the
process tree), ours raw->customer_features (`dbt run --select +customer_features`), the pandas
way (bench/pandas_way.py, under a memory cap and timeout) and the floor (bench/floor.sql).
Feature values of the pandas way and the floor are checked against dbt's customer_features on a
sample. Writes <bench-dir>/results.json and results.md.

With --engine spark: the DuckDB build and the build on a local Spark, stage by stage
(bench/spark.py), into <bench-dir>/spark_results.json and spark_results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
from pathlib import Path

import duckdb
import pandas as pd

from bench.compare import compare_features
from bench.measure import Measured, run_measured
from bench.stage_cpu import Interval, cpu_by_label, node_interval

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = ROOT / "dbt_project"
BIN = Path(sys.executable).parent
SCALES = {"S": 10_000, "M": 100_000, "L": 1_000_000, "XL": 5_000_000}
SEED = 42
GiB = 1024**3


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def physical_memory_gib() -> float:
    """The machine's RAM (MemTotal), 0 where /proc/meminfo cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return 0.0


# The pandas way's memory cap when the machine's RAM cannot be read.
FALLBACK_PANDAS_MEMORY_GIB = 12.0


def default_pandas_memory_gib() -> float:
    """The pandas way's cap on resident memory: 80% of RAM, so the machine keeps room for itself
    while pandas gets what a notebook on it would; the fallback where RAM is unknown."""
    ram = physical_memory_gib()
    return round(0.8 * ram, 1) if ram else FALLBACK_PANDAS_MEMORY_GIB


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(physical_memory_gib(), 1),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
    }


# ---------------------------------------------------------------- data


def ensure_data(data_dir: Path, customers: int, seed: int) -> dict:
    """Generate the Parquet files unless present with the same size and seed."""
    meta_path = data_dir / "bench_meta.json"
    wanted = {"customers": customers, "seed": seed, "format": "parquet"}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in wanted} == wanted:
            log(f"reusing data in {data_dir} ({customers:,} customers, seed {seed})")
            return meta
    if data_dir.exists():
        shutil.rmtree(data_dir)
    log(f"generating {customers:,} customers (seed {seed}) into {data_dir}")
    cmd = [
        str(BIN / "python"),
        "-m",
        "models_py",
        "generate",
        "--customers",
        str(customers),
        "--seed",
        str(seed),
        "--out",
        str(data_dir),
        "--format",
        "parquet",
    ]
    measured = run_measured(cmd, cwd=ROOT, echo_prefix="  ")
    if measured.outcome != "ok":
        raise RuntimeError(f"generator failed ({measured.outcome}): {measured.lines[-5:]}")
    with duckdb.connect() as con:
        rows = {
            table: con.execute(
                f"select count(*) from read_parquet('{data_dir / f'{table}.parquet'}')"
            ).fetchone()[0]
            for table in ("customers", "products", "orders", "order_lines")
        }
    meta = {
        **wanted,
        "rows": rows,
        "generate_seconds": measured.seconds,
        "generate_peak_rss_mib": measured.peak_rss_mib,
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


# ---------------------------------------------------------------- ours


def stage_of(node: dict) -> str:
    """Benchmark stage of a dbt node from its resource type, folder and name."""
    kind = node.get("resource_type")
    if kind in ("test", "unit_test"):
        return "dbt tests"
    path = node.get("original_file_path", "")
    name = node.get("name", "")
    # Cleaning whose rules span tables, and its data-quality outputs, are staging work.
    if "models/intermediate/cleaning/" in path or "models/marts/data_quality/" in path:
        return "staging"
    for folder in ("staging", "intermediate", "marts", "reporting"):
        if f"models/{folder}/" in path:
            return folder
    # On Spark the ML step writes the tables and SQL twins in models/spark_ml/ expose them.
    if "models/ml/" in path or "models/spark_ml/" in path:
        if name.startswith("segment") or name.startswith("customer_segments"):
            return "segmentation"
        return "prediction"
    return "other"


def _load_run(target: Path) -> tuple[list[dict], dict, float]:
    """One invocation's node results, the manifest's nodes and unit tests, dbt's elapsed time."""
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    return results["results"], nodes, float(results["elapsed_time"])


def _node_stage(result: dict, nodes: dict) -> str:
    unique_id = result["unique_id"]
    return stage_of(nodes.get(unique_id, {"resource_type": unique_id.split(".")[0]}))


def read_run_results(target: Path) -> dict:
    """Per-stage summed node seconds and dbt's elapsed time from one invocation."""
    results, nodes, elapsed = _load_run(target)
    stages: dict[str, float] = {}
    failures = []
    for result in results:
        stage = _node_stage(result, nodes)
        stages[stage] = stages.get(stage, 0.0) + float(result["execution_time"])
        if result["status"] not in ("success", "pass", "skipped", "warn", "no op", "no-op"):
            failures.append(f"{result['unique_id']}: {result['status']}")
    slowest = sorted(results, key=lambda r: -float(r["execution_time"]))[:8]
    return {
        "elapsed": elapsed,
        "stages": stages,
        "failures": failures,
        "slowest": {r["unique_id"]: round(float(r["execution_time"]), 2) for r in slowest},
    }


def stage_intervals(target: Path) -> list[Interval]:
    """(stage, start, end) of every node of one invocation that ran, in epoch seconds."""
    results, nodes, _ = _load_run(target)
    spans = [(_node_stage(r, nodes), node_interval(r)) for r in results]
    return [(stage, *span) for stage, span in spans if span is not None]


def rounded(values: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 2) for key, value in sorted(values.items())}


def ours_env(raw_dir: Path, work: Path, raw_format: str = "parquet") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_PROFILES_DIR=str(ROOT),
        CA_RAW_DIR=str(raw_dir),
        CA_RAW_FORMAT=raw_format,
        CA_WAREHOUSE_PATH=str(work / "build.duckdb"),
        CA_ARTIFACTS_DIR=str(work / "artifacts"),
        CA_SERVED_PATH=str(work / "analytics.duckdb"),
        CA_REPORT_DIR=str(work / "report"),
        CA_EXPORTS_DIR=str(work / "exports"),
    )
    return env


def dbt_cmd(work: Path, *args: str) -> list[str]:
    return [
        str(BIN / "dbt"),
        *args,
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]


def fresh(work: Path) -> Path:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def run_ours(raw_dir: Path, work: Path) -> dict:
    """One end-to-end run: dbt build, publish, report. Wall time and peak RSS per step."""
    fresh(work)
    env = ours_env(raw_dir, work)
    log("ours: dbt build")
    build = run_measured(dbt_cmd(work, "build"), env=env, cwd=DBT_PROJECT_DIR, echo_prefix="  ")
    run = {"dbt_build": _summary(build)}
    if build.outcome != "ok":
        run["outcome"] = f"dbt build {build.outcome}"
        return run
    run["dbt"] = read_run_results(work / "target")
    run["dbt"]["stage_cpu"] = rounded(
        cpu_by_label(build.cpu_timeline, stage_intervals(work / "target"))
    )
    steps: list[Measured] = [build]
    for module, extra in (
        ("models_py.serving.publish", []),
        ("models_py.report", []),
    ):
        name = module.split(".")[-1]
        log(f"ours: {name}")
        measured = run_measured(
            [str(BIN / "python"), "-m", module, *extra], env=env, cwd=ROOT, echo_prefix="  "
        )
        run[name] = _summary(measured)
        steps.append(measured)
    run["outcome"] = "ok" if all(s.outcome == "ok" for s in steps) else "failed"
    run["seconds"] = sum(s.seconds for s in steps)
    run["cpu_seconds"] = sum(s.cpu_seconds for s in steps)
    run["tree_cpu_seconds"] = sum(s.tree_cpu_seconds for s in steps)
    run["peak_rss_mib"] = max(s.peak_rss_mib for s in steps)
    run["peak_during"] = build.peak_during.strip()  # where dbt peaked (publish/report print little)
    return run


def run_ours_features(raw_dir: Path, work: Path) -> dict:
    """Raw files to customer_features only: `dbt run --select +customer_features`."""
    fresh(work)
    env = ours_env(raw_dir, work)
    log("ours: dbt run --select +customer_features")
    measured = run_measured(
        dbt_cmd(work, "run", "--select", "+customer_features"),
        env=env,
        cwd=DBT_PROJECT_DIR,
        echo_prefix="  ",
    )
    out = _summary(measured)
    if measured.outcome == "ok":
        out["dbt_elapsed"] = read_run_results(work / "target")["elapsed"]
    return out


def _summary(measured: Measured) -> dict:
    return {
        "seconds": round(measured.seconds, 3),
        "peak_rss_mib": round(measured.peak_rss_mib, 1),
        "cpu_seconds": round(measured.cpu_seconds, 3),
        "tree_cpu_seconds": round(measured.tree_cpu_seconds, 3),
        "outcome": measured.outcome,
        "peak_during": measured.peak_during.strip(),
    }


def _peak_during(runs: list[dict], peak_rss_mib: float | None) -> str:
    """The output line at the peak of the run that reached the highest peak."""
    return next((r.get("peak_during", "") for r in runs if r["peak_rss_mib"] == peak_rss_mib), "")


# ---------------------------------------------------------------- comparisons


def run_pandas(raw_dir: Path, work: Path, cap_gib: float, timeout: float) -> dict:
    fresh(work)
    log(f"pandas way (resident memory cap {cap_gib:g} GiB, timeout {timeout:g}s)")
    measured = run_measured(
        [
            str(BIN / "python"),
            "-m",
            "bench.pandas_way",
            "--raw-dir",
            str(raw_dir),
            "--out-dir",
            str(work),
        ],
        cwd=ROOT,
        timeout=timeout,
        memory_cap_bytes=int(cap_gib * GiB),
        echo_prefix="  ",
    )
    stages = {}
    for line in measured.lines:
        if line.startswith("{"):
            record = json.loads(line)
            stages[record["stage"]] = record["seconds"]
    out = _summary(measured)
    out["stages"] = stages
    out["memory_cap_gib"] = cap_gib
    if measured.outcome == "failed":
        out["error"] = measured.lines[-3:]
    return out


def run_floor(raw_dir: Path, work: Path) -> dict:
    fresh(work)
    log("floor query")
    measured = run_measured(
        [
            str(BIN / "python"),
            "-m",
            "bench.floor",
            "--raw-dir",
            str(raw_dir),
            "--out",
            str(work / "customer_features.parquet"),
        ],
        cwd=ROOT,
        echo_prefix="  ",
    )
    out = _summary(measured)
    for line in measured.lines:
        if line.startswith("{"):
            out["query_seconds"] = json.loads(line)["seconds"]
    return out


def check(reference_db: Path, candidate: Path, name: str) -> dict:
    if not reference_db.exists() or not candidate.exists():
        return {"checked": False}
    with duckdb.connect(str(reference_db), read_only=True) as con:
        reference = con.sql("select * from customer_features").df()
    result = compare_features(reference, pd.read_parquet(candidate), sample_size=2_000)
    result["checked"] = True
    verdict = "same values" if result["mismatches"] == 0 and result["missing"] == 0 else "DIFFERENT"
    log(f"check {name} vs dbt customer_features: {verdict} on {result['sampled']} customers")
    return result


# ---------------------------------------------------------------- aggregation and report


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


PANDAS_STAGES = ("load", "staging", "features", "segmentation", "prediction")


def _ours_stages(ok_ours: list[dict]) -> dict[str, float | None]:
    """Median summed dbt node seconds per stage, then publish and report."""
    stage_names = sorted({s for r in ok_ours for s in r["dbt"]["stages"]})
    stages = {s: median([r["dbt"]["stages"].get(s, 0.0) for r in ok_ours]) for s in stage_names}
    stages["publish"] = median([r["publish"]["seconds"] for r in ok_ours])
    stages["report"] = median([r["report"]["seconds"] for r in ok_ours])
    return stages


def _comparable(ours: dict, pandas: dict, ok_ours: list[dict], ok_pandas: list[dict]) -> dict:
    """Comparable stages: ours summed dbt node time vs the pandas way's stage time."""
    stages, pandas_stages = ours["stages"], pandas["stages"]
    return {
        "staging (load + clean)": (
            stages.get("staging"),
            (pandas_stages["load"] or 0) + (pandas_stages["staging"] or 0) or None,
        ),
        "features (intermediate + marts)": (
            (stages.get("intermediate") or 0) + (stages.get("marts") or 0) or None,
            pandas_stages["features"],
        ),
        "segmentation": (stages.get("segmentation"), pandas_stages["segmentation"]),
        "prediction": (stages.get("prediction"), pandas_stages["prediction"]),
        "end to end (wall)": (ours["seconds"], pandas["seconds"]),
        "end to end (CPU seconds)": (
            median([r.get("cpu_seconds") for r in ok_ours]),
            median([r.get("cpu_seconds") for r in ok_pandas]),
        ),
    }


def _ours_summary(ours: list[dict], ok_ours: list[dict]) -> dict:
    peak = max((r["peak_rss_mib"] for r in ok_ours), default=None)
    return {
        "seconds": median([r["seconds"] for r in ok_ours]),
        "dbt_build_seconds": median([r["dbt_build"]["seconds"] for r in ok_ours]),
        "dbt_elapsed_seconds": median([r["dbt"]["elapsed"] for r in ok_ours]),
        "stages": _ours_stages(ok_ours),
        "peak_rss_mib": peak,
        "peak_during": _peak_during(ok_ours, peak),
        "step_peak_rss_mib": {
            step: max((r[step]["peak_rss_mib"] for r in ok_ours if step in r), default=None)
            for step in ("dbt_build", "publish", "report")
        },
        "outcomes": [r.get("outcome") for r in ours],
        "failures": sorted({f for r in ok_ours for f in r["dbt"]["failures"]}),
        "slowest_nodes": ok_ours[0]["dbt"]["slowest"] if ok_ours else {},
    }


def _pandas_summary(pandas_runs: list[dict], ok_pandas: list[dict]) -> dict:
    peak = max((r["peak_rss_mib"] for r in pandas_runs), default=None)
    return {
        "seconds": median([r["seconds"] for r in ok_pandas]),
        "stages": {s: median([r["stages"].get(s) for r in ok_pandas]) for s in PANDAS_STAGES},
        "peak_rss_mib": peak,
        "outcomes": [r["outcome"] for r in pandas_runs],
        "seconds_to_outcome": median([r["seconds"] for r in pandas_runs]),
        "memory_cap_gib": max(
            (r["memory_cap_gib"] for r in pandas_runs if r.get("memory_cap_gib")), default=None
        ),
        "peak_during": _peak_during(pandas_runs, peak),
    }


def _ratios(ours: dict, pandas: dict, features: dict, floor: dict, comparable: dict) -> dict:
    return {
        "ours_over_pandas": {k: ratio(a, b) for k, (a, b) in comparable.items()},
        "ours_over_pandas_peak_rss": ratio(ours["peak_rss_mib"], pandas["peak_rss_mib"]),
        "features_ours_over_floor (dbt elapsed)": ratio(
            features["dbt_elapsed_seconds"], floor["query_seconds"]
        ),
        "features_ours_over_floor (wall incl. dbt start)": ratio(
            features["seconds"], floor["query_seconds"]
        ),
        "features_ours_over_floor (CPU seconds, both processes)": ratio(
            features["cpu_seconds"], floor["cpu_seconds"]
        ),
    }


def summarise(scale: str, meta: dict, ours, ours_features, pandas_runs, floors, checks) -> dict:
    ok_ours = [r for r in ours if r.get("outcome") == "ok"]
    ok_pandas = [r for r in pandas_runs if r["outcome"] == "ok"]
    ours_summary = _ours_summary(ours, ok_ours)
    pandas_summary = _pandas_summary(pandas_runs, ok_pandas)
    features_ok = [r for r in ours_features if r["outcome"] == "ok"]
    features = {
        "seconds": median([r["seconds"] for r in features_ok]),
        "dbt_elapsed_seconds": median([r.get("dbt_elapsed") for r in ours_features]),
        "cpu_seconds": median([r.get("cpu_seconds") for r in features_ok]),
    }
    floor = {
        "query_seconds": median([r.get("query_seconds") for r in floors]),
        "seconds": median([r["seconds"] for r in floors]),
        "cpu_seconds": median([r.get("cpu_seconds") for r in floors]),
        "peak_rss_mib": max((r["peak_rss_mib"] for r in floors), default=None),
    }
    comparable = _comparable(ours_summary, pandas_summary, ok_ours, ok_pandas)
    return {
        "scale": scale,
        "customers": meta["customers"],
        "rows": meta.get("rows"),
        "generate_seconds": meta.get("generate_seconds"),
        "repeats": len(ours),
        "ours": ours_summary,
        "ours_features": features,
        "pandas": pandas_summary,
        "floor": floor,
        "ratios": _ratios(ours_summary, pandas_summary, features, floor, comparable),
        "comparable_seconds": {k: {"ours": a, "pandas": b} for k, (a, b) in comparable.items()},
        "checks": checks,
    }


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}{unit}"
    return f"{value}{unit}"


def pandas_outcomes(pandas: dict) -> str:
    """One sentence on how the pandas way's runs ended, under which cap, and where it peaked."""
    if not pandas.get("outcomes"):
        return "Pandas way: not run."
    return (
        f"Pandas way outcomes: {', '.join(pandas['outcomes'])} "
        f"(after {fmt(pandas.get('seconds_to_outcome'))} s, "
        f"resident memory cap {fmt(pandas.get('memory_cap_gib'))} GiB; its peak came "
        f"during `{pandas.get('peak_during') or '-'}`)."
    )


def run_on(results: dict) -> str:
    """When and on what machine the results were measured."""
    m = results["machine"]
    return (
        f"Run {results['finished_at']} on {m['cpus']} CPUs, {m['memory_gib']} GiB RAM, "
        f"{m['cpu_model']} (Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}). "
    )


def markdown(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        run_on(results)
        + "Times are medians of the repeats in seconds; a ratio below 1 means ours is faster "
        "(or smaller).",
        "",
    ]
    for scale in [s for s in SCALES if s in results["scales"]]:
        lines += _scale_markdown(scale, results["scales"][scale])
    return "\n".join(lines)


def _check_lines(checks: dict) -> list[str]:
    return [
        f"- check {name}: {result['mismatches']} mismatching values and "
        f"{result['missing']} missing customers on a sample of {result['sampled']} "
        f"({result['customers_reference']:,} customers)."
        for name, result in checks.items()
        if result.get("checked")
    ]


def _scale_markdown(scale: str, r: dict) -> list[str]:
    """One scale's tables and notes."""
    rows = r.get("rows") or {}
    lines = [
        f"## {scale}: {r['customers']:,} customers, {rows.get('orders', 0):,} orders, "
        f"{rows.get('order_lines', 0):,} order lines ({r['repeats']} repeat(s))",
        "",
        "| stage | ours (s) | pandas way (s) | ours / pandas |",
        "|---|---:|---:|---:|",
    ]
    for stage, pair in r["comparable_seconds"].items():
        lines.append(
            f"| {stage} | {fmt(pair['ours'])} | {fmt(pair['pandas'])} | "
            f"{fmt(r['ratios']['ours_over_pandas'][stage])} |"
        )
    lines += [
        f"| peak RSS (MiB) | {fmt(r['ours']['peak_rss_mib'])} | "
        f"{fmt(r['pandas']['peak_rss_mib'])} | "
        f"{fmt(r['ratios']['ours_over_pandas_peak_rss'])} |",
        "",
        "| raw files to customer_features | seconds | ours / floor |",
        "|---|---:|---:|",
        f"| floor query (one DuckDB statement) | {fmt(r['floor']['query_seconds'])} | 1 |",
        f"| ours, dbt elapsed (`dbt run -s +customer_features`) | "
        f"{fmt(r['ours_features']['dbt_elapsed_seconds'])} | "
        f"{fmt(r['ratios']['features_ours_over_floor (dbt elapsed)'])} |",
        f"| ours, wall incl. dbt start-up and parse | {fmt(r['ours_features']['seconds'])} | "
        f"{fmt(r['ratios']['features_ours_over_floor (wall incl. dbt start)'])} |",
        f"| CPU seconds, ours / floor process | {fmt(r['ours_features'].get('cpu_seconds'))} / "
        f"{fmt(r['floor'].get('cpu_seconds'))} | "
        f"{fmt(r['ratios'].get('features_ours_over_floor (CPU seconds, both processes)'))} |",
        "",
        f"Ours end to end: dbt build {fmt(r['ours']['dbt_build_seconds'])} s wall "
        f"(dbt elapsed {fmt(r['ours']['dbt_elapsed_seconds'])} s), then publish and report. "
        "Summed dbt node seconds per stage (2 dbt threads, so they can exceed the wall): "
        + ", ".join(f"{k} {fmt(v)}" for k, v in r["ours"]["stages"].items())
        + f". {pandas_outcomes(r['pandas'])} "
        f"Ours peak RSS per step (MiB): "
        + ", ".join(f"{k} {fmt(v)}" for k, v in (r["ours"].get("step_peak_rss_mib") or {}).items())
        + f"; dbt's peak came during: `{r['ours'].get('peak_during') or '-'}`. "
        f"Floor peak RSS {fmt(r['floor']['peak_rss_mib'])} MiB. "
        f"Generator: {fmt(r['generate_seconds'])} s.",
        "",
    ]
    return [*lines, *_check_lines(r["checks"]), ""]


def bench_scale(scale: str, args: argparse.Namespace, bench_dir: Path) -> dict:
    customers = args.customers or SCALES[scale]
    data_dir = bench_dir / "data" / scale
    meta = ensure_data(data_dir, customers, args.seed)
    repeats = args.repeats or (3 if scale in ("S", "M") else 1)
    work = bench_dir / "work" / scale
    ours, ours_features, pandas_runs, floors = [], [], [], []
    checks: dict = {}
    for i in range(repeats):
        log(f"{scale}: repeat {i + 1}/{repeats}")
        floors.append(run_floor(data_dir, work / "floor"))
        if not args.skip_ours:
            ours.append(run_ours(data_dir, work / "ours"))
            if not args.skip_features:
                ours_features.append(run_ours_features(data_dir, work / "ours_features"))
        if not args.skip_pandas:
            pandas_runs.append(
                run_pandas(data_dir, work / "pandas", args.pandas_memory_gib, args.pandas_timeout)
            )
        if i == 0:
            db = work / "ours" / "build.duckdb"
            checks["floor"] = check(db, work / "floor" / "customer_features.parquet", "floor")
            checks["pandas"] = check(db, work / "pandas" / "customer_features.parquet", "pandas")
    return summarise(scale, meta, ours, ours_features, pandas_runs, floors, checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scales", default="S", help="comma-separated: S, M, L, XL")
    parser.add_argument("--repeats", type=int, default=None, help="default 3 for S/M, 1 for L/XL")
    parser.add_argument(
        "--bench-dir",
        type=Path,
        default=Path(os.environ.get("CA_BENCH_DIR", ROOT / "warehouse" / "bench")),
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--customers", type=int, default=None, help="override the scale's size")
    parser.add_argument(
        "--pandas-memory-gib",
        type=float,
        default=default_pandas_memory_gib(),
        help="cap on the pandas way's resident memory (default: 80%% of RAM)",
    )
    parser.add_argument("--pandas-timeout", type=float, default=3600.0)
    parser.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="spark: the build on a local Spark beside the DuckDB build, stage by stage "
        "(spark_results.json/.md; repeats default 1; no pandas way or floor)",
    )
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-ours", action="store_true")
    parser.add_argument(
        "--skip-features",
        action="store_true",
        help="skip the separate raw -> customer_features run (it takes a third of ours at XL)",
    )
    args = parser.parse_args(argv)
    scales = [s.strip().upper() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {unknown}; choose from {list(SCALES)}")
    bench_dir = args.bench_dir.resolve()
    bench_dir.mkdir(parents=True, exist_ok=True)
    if args.engine == "spark":
        from bench import spark_report
        from bench.spark import bench_spark_scale

        run_scale, name, to_markdown = bench_spark_scale, "spark_results", spark_report.markdown
    else:
        run_scale, name, to_markdown = bench_scale, "results", markdown
    results_path = bench_dir / f"{name}.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"scales": {}}
    for scale in scales:
        log(f"scale {scale}")
        results["scales"][scale] = run_scale(scale, args, bench_dir)
        results["machine"] = machine()
        results["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
        results_path.write_text(json.dumps(results, indent=2, default=str))
        (bench_dir / f"{name}.md").write_text(to_markdown(results))
        log(f"wrote {results_path} and {name}.md")
    print((bench_dir / f"{name}.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
