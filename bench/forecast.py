"""Held-out forecast evaluation: the pipeline's 90-day predictions against what happened.

    python -m bench.forecast [--customers 20000] [--variants demo,seasonal,cohort] [--docs]

Per variant (a demo extract, with or without a seasonal cycle and trend; or a bare transaction
log of one acquisition cohort, prepared by the own-data path, bench/forecast_cohort.py, which
also scores each customer's true expectation): generate the whole
history up to E, cut it at T = E - horizon, run the real dbt project on the cut extract with
as_of_date = T, and score against what customers did in (T, E] (the full extract cleaned by the
same dbt models): the published customer_predictions, every registry model refitted as the
pipeline refits it (BG/NBD + Gamma-Gamma is the reference; last_window repeats the last window),
and the pipeline's own evaluation-split scores beside them. Writes results.json and results.md
to <out>/ and, with --docs, the table into docs/forecast-evaluation.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from bench.forecast_cohort import CohortLog, cohort_extracts, true_predictions
from bench.forecast_data import actual_outcomes, cut_extract, dbt, generate_full
from bench.forecast_scores import (
    evaluation_split_scores,
    model_predictions,
    project_settings,
    published_predictions,
    score_predictions,
    spend_scaling,
)
from models_py.demo_data.calendar import Season
from models_py.demo_data.config import DEFAULT_END_DATE
from models_py.prediction.registry import MODELS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "forecast-evaluation.md"
TABLE_START, TABLE_END = "<!-- forecast-table:start -->", "<!-- forecast-table:end -->"
REFERENCE = "btyd"  # BG/NBD + Gamma-Gamma, the reference every target is stated against

VARIANTS = {
    "demo": Season(),
    "seasonal": Season(amplitude=0.5, trend=0.2, peak_month=11),
    "seasonal_1y": Season(amplitude=0.5, trend=0.2, peak_month=11),
    "cohort": CohortLog(),  # a bare log, one acquisition cohort, through the own-data path
}
# Variants cut to one year of orders before the cutoff, with their own end date: a one-year
# export predicting the autumn rise (the end date replaces --end-dates).
ONE_YEAR = {"seasonal_1y": dt.date(2026, 12, 1)}
HISTORY_DAYS_KEPT = 365


@dataclass(frozen=True)
class Case:
    variant: str
    customers: int
    seed: int
    end: dt.date
    horizon_days: int

    @property
    def cutoff(self) -> dt.date:
        return self.end - dt.timedelta(days=self.horizon_days)

    @property
    def name(self) -> str:
        return f"{self.variant}_{self.customers}_{self.seed}_{self.end:%Y%m%d}"


def log(message: str) -> None:
    print(f"[forecast {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _build(case: Case, work: Path, reuse: bool) -> float:
    """dbt on the cut extract (the pipeline) and on the full one (the outcomes); seconds the
    pipeline's build took (0 when an earlier build was reused)."""
    if reuse and (work / "cut" / "build.duckdb").is_file():
        return 0.0
    variant, horizon = VARIANTS[case.variant], {"horizon_days": case.horizon_days}
    raw_format, full_vars, cut_vars = "csv", horizon, horizon
    if isinstance(variant, CohortLog):  # a retailer's own log: prepared Parquet and its vars
        work.mkdir(parents=True, exist_ok=True)
        full, cut, full_vars, cut_vars = cohort_extracts(variant, case, work)
        raw_format = "parquet"
    else:
        full = generate_full(work / "raw_full", case.customers, case.seed, case.end, variant)
        first = (
            case.cutoff - dt.timedelta(days=HISTORY_DAYS_KEPT) if case.variant in ONE_YEAR else None
        )
        cut = cut_extract(full, work / "raw_cut", case.cutoff, first)
    started = time.perf_counter()
    log(f"{case.name}: dbt build on the extract cut at {case.cutoff}")
    cut_vars = {**cut_vars, "as_of_date": str(case.cutoff)}
    dbt(cut, work / "cut", _quoted(cut_vars), "build", raw_format=raw_format)
    build_seconds = time.perf_counter() - started
    log(f"{case.name}: dbt run on the full extract (outcomes after the cutoff)")
    full_vars = _quoted({**full_vars, **horizon})
    dbt(
        full,
        work / "full",
        full_vars,
        "run",
        "--select",
        "+int_order_totals",
        raw_format=raw_format,
    )
    return build_seconds


def _quoted(dbt_vars: dict) -> dict[str, str]:
    """Vars as YAML flow values (JSON is YAML), for dbt's --vars."""
    return {key: json.dumps(value) for key, value in dbt_vars.items()}


def run_case(case: Case, out: Path, reuse: bool = False, models: Sequence[str] = ()) -> dict:
    """Build the cut and full warehouses of one case and score the published predictions, the
    registry ``models`` (every one when empty; BG/NBD + Gamma-Gamma always) and, where the
    generator knows it, each customer's true expectation."""
    work = out / case.name
    build_seconds = _build(case, work, reuse)
    actual = actual_outcomes(work / "full" / "build.duckdb", case.cutoff, case.horizon_days)
    log(f"{case.name}: refitting every model and scoring")
    build = work / "cut" / "build.duckdb"
    published, names = published_predictions(build)
    settings = project_settings(case.horizon_days)
    refit = [REFERENCE, *(m for m in models if m != REFERENCE)] if models else list(MODELS)
    predictions = pd.concat(
        [
            published,
            model_predictions(build, settings, refit),
            true_predictions(work, published["customer_id"]),
        ],
        ignore_index=True,
    )
    held_out = score_predictions(predictions, actual)
    return {
        "case": asdict(case) | {"cutoff": case.cutoff},
        "published": names,
        "spend_scaling": spend_scaling(build),
        "dbt_build_seconds": round(build_seconds, 1),
        "held_out": held_out.to_dict(orient="records"),
        "evaluation_split": evaluation_split_scores(build).to_dict(orient="records"),
    }


def _versus_reference(held_out: pd.DataFrame) -> pd.DataFrame:
    ref = held_out.set_index("model").loc[REFERENCE]
    return held_out.assign(
        rmse_vs_btyd=held_out["spend_rmse"] / ref["spend_rmse"] - 1,
        auc_vs_btyd=held_out["purchase_roc_auc"] - ref["purchase_roc_auc"],
    )


def _evaluation_split_rmse(result: dict) -> dict[str, float]:
    rows = pd.DataFrame(result["evaluation_split"])
    if rows.empty:
        return {}
    # Every backtest fold's row: their mean, the figure the pipeline chose by.
    rmse = rows[(rows["task"] == "spend") & (rows["metric"] == "rmse")]
    return rmse.groupby("model")["value"].mean().to_dict()


def _scaling(facts: dict[str, float]) -> str:
    """How the published spend predictions were scaled, as the run's model_metrics say."""
    if facts.get("season_scale_applied"):
        return (
            f" x {facts['season_scale']:.3f}, the season a year earlier (checked on "
            f"{facts['season_folds']:.0f} fold(s))"
        )
    if facts.get("totals_scale_applied"):
        return f" x {facts['totals_scale']:.3f}, the totals factor"
    if "season_folds" in facts:
        return f", not scaled (season checked on {facts['season_folds']:.0f} fold(s))"
    return ", not scaled"


def markdown(results: list[dict]) -> str:
    """One table per case: held-out scores per model, against BG/NBD + Gamma-Gamma."""
    parts = []
    for result in results:
        case, names = result["case"], result["published"]
        held = _versus_reference(pd.DataFrame(result["held_out"]))
        split_rmse = _evaluation_split_rmse(result)
        parts.append(
            f"**{case['variant']}** ({case['customers']:,} customers, seed {case['seed']}, "
            f"cutoff {case['cutoff']}, horizon {case['horizon_days']} days; published: "
            f"purchase = {names['purchase']}, spend = {names['spend']}"
            f"{_scaling(result.get('spend_scaling', {}))})\n"
        )
        parts.append(
            "| model | spend RMSE | vs BG/NBD+GG | purchase ROC AUC | vs BG/NBD+GG "
            "| total predicted / actual | mean RMSE on the pipeline's backtest folds |"
        )
        parts.append("|---|---:|---:|---:|---:|---:|---:|")
        for row in held.itertuples():
            split = split_rmse.get(row.model)
            parts.append(
                f"| {row.model} | {row.spend_rmse:,.1f} | {row.rmse_vs_btyd:+.1%} "
                f"| {row.purchase_roc_auc:.3f} | {row.auc_vs_btyd:+.3f} "
                f"| {row.total_predicted_over_actual:.0%} "
                f"| {'' if split is None else f'{split:,.1f}'} |"
            )
        parts.append("")
    return "\n".join(parts)


def write_docs_table(table: str, path: Path = DOCS) -> None:
    """Replace the table between the markers of docs/forecast-evaluation.md."""
    text = path.read_text()
    pattern = re.compile(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{path}: no {TABLE_START} ... {TABLE_END} markers")
    path.write_text(pattern.sub(lambda _: f"{TABLE_START}\n{table}\n{TABLE_END}", text))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast", description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--horizon-days", type=int, default=90)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument(
        "--end-dates",
        default=str(DEFAULT_END_DATE),
        help="comma-separated last days of the generated history (cutoff = end - horizon)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "warehouse" / "bench" / "forecast")
    parser.add_argument("--docs", action="store_true", help="write the table into the docs")
    parser.add_argument(
        "--models",
        default="",
        help="comma-separated registry models to refit and score beside the published "
        "predictions (default every one; BG/NBD + Gamma-Gamma always)",
    )
    parser.add_argument(
        "--reuse-builds",
        action="store_true",
        help="score an earlier run's warehouses again (after changing a model, not the data)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        print(f"error: unknown variant(s) {unknown}; choose from {list(VARIANTS)}", file=sys.stderr)
        return 2
    ends = [dt.date.fromisoformat(d.strip()) for d in args.end_dates.split(",")]
    cases = [
        Case(v, args.customers, args.seed, end, args.horizon_days)
        for v in variants
        for end in ([ONE_YEAR[v]] if v in ONE_YEAR else ends)
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        print(f"error: unknown model(s) {unknown}; choose from {list(MODELS)}", file=sys.stderr)
        return 2
    results = [run_case(case, args.out, args.reuse_builds, models) for case in cases]
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    table = markdown(results)
    (args.out / "results.md").write_text(table)
    if args.docs:
        write_docs_table(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
