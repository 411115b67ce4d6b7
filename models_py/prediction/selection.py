"""Choosing the published model of each task from the backtests and calibrating it.

Every candidate and baseline is eligible. The choice is the mean selection metric over the
folds with the one-standard-error rule toward the simpler model (backtests.choose_model); a
published baseline, or a published model a baseline beats on the mean, comes with a message.
The calibration of the published models is measured on their out-of-fold predictions and kept
only where it helps (calibration.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models_py.prediction.backtests import choose_model, complexity_order, summarise_folds
from models_py.prediction.calibration import (
    CalibratedClassifier,
    FoldPredictions,
    PlattScaler,
    ScaledRegressor,
    brier_score,
    leave_one_fold_out,
    reliability_table,
    totals_scale,
)
from models_py.prediction.metrics import best_f1_threshold
from models_py.prediction.registry import model_spec

__all__ = ["METRIC_COLUMNS", "PublishedCalibration", "calibrate_published", "select_published"]

METRIC_COLUMNS = ["model_name", "task", "split", "fold", "cutoff_date", "metric", "value"]


def select_published(
    task: str, scores: Mapping[str, Sequence[float]], metric: str, direction: str
) -> tuple[str, str | None]:
    """The published model of ``task`` from each model's fold ``scores`` of ``metric``, and a
    warning when a baseline is published or beats the published model on the mean."""
    summary = summarise_folds(scores)
    ranks = {name: model_spec(name).publish_rank for name in scores}
    # Every baseline may be published; a candidate without a publish rank is for comparison.
    eligible = [n for n in scores if model_spec(n).is_baseline or ranks[n] is not None]
    order = complexity_order(eligible, ranks)
    # A floor (zero) is the last choice, not the first: with few folds one standard error is
    # wide, and predicting nothing must beat every model, not come within noise of the best.
    order = sorted(order, key=lambda name: model_spec(name).floor)
    published, best = choose_model({name: scores[name] for name in eligible}, direction, order)
    if published is None:
        return "btyd", None
    stats = summary.set_index("model_name")
    folds = int(stats.at[published, "folds"])

    def described(name: str) -> str:
        return f"{name} ({stats.at[name, 'mean']:.4g} ± {stats.at[name, 'se']:.2g} SE)"

    if model_spec(published).is_baseline:
        how = (
            "has the best"
            if published == best
            else f"trails the best, {described(best)}, by less than the fold-to-fold noise of the "
            "gap and is simpler, by"
        )
        return published, (
            f"the published {task} model is the baseline {described(published)}: it {how} mean "
            f"{metric} over {folds} backtest fold(s); no candidate beat it by more than the noise"
        )
    sign = 1 if direction == "max" else -1
    better = [
        name
        for name in scores
        if model_spec(name).is_baseline
        and name in stats.index
        and sign * (stats.at[name, "mean"] - stats.at[published, "mean"]) > 0
    ]
    if better:
        return published, (
            f"the baseline {described(better[0])} beats the published {task} model "
            f"{described(published)} on mean {metric} over {folds} backtest fold(s); the "
            "published model trails the best by less than one standard error of their "
            "fold-by-fold gap"
        )
    return published, None


@dataclass
class PublishedCalibration:
    """What the backtests say about the published models' calibration: metric rows, the
    reliability table and the fitted corrections (None where a correction did not help)."""

    metric_rows: list[dict] = field(default_factory=list)
    reliability: pd.DataFrame | None = None
    scaler: PlattScaler | None = None
    threshold: float | None = None
    scale: float | None = None

    def wrap(self, task: str, estimator, threshold: float | None):
        """The final estimator of ``task`` with its correction, and its purchase threshold."""
        if task == "purchase" and self.scaler is not None:
            return CalibratedClassifier(estimator, self.scaler), self.threshold
        if task == "spend" and self.scale is not None:
            return ScaledRegressor(estimator, self.scale), threshold
        return estimator, threshold


def _row(model: str, task: str, fold: int | None, cutoff, metric: str, value: float) -> dict:
    split = "evaluate" if fold is not None else "final"
    return {
        "model_name": model,
        "task": task,
        "split": split,
        "fold": fold,
        "cutoff_date": cutoff,
        "metric": metric,
        "value": float(value),
    }


def calibrate_published(
    published: Mapping[str, str],
    oof: Mapping[tuple[str, str, int], np.ndarray],
    outcomes: Mapping[int, pd.DataFrame],
    targets: Mapping[str, str],
    season_ratios: Mapping[int, float] | None = None,
) -> PublishedCalibration:
    """Calibrate the published purchase probabilities and spend totals on the out-of-fold
    predictions ``oof`` ((task, model, fold) -> predictions on ``outcomes[fold]``).

    ``season_ratios`` (None: no season calibration) maps a window (0 = the score window, i =
    backtest fold i) to the published spend model's actual / predicted spend on the window a
    year before it; windows without one are absent."""
    result = PublishedCalibration()
    folds = sorted(outcomes)
    per_task = {
        task: [
            FoldPredictions(
                f, outcomes[f][targets[task]].to_numpy(dtype=float), oof[(task, published[task], f)]
            )
            for f in folds
        ]
        for task in ("purchase", "spend")
    }
    cutoffs = {f: outcomes[f]["as_of_date"].iloc[0] for f in folds}
    _calibrate_purchase(result, published["purchase"], per_task["purchase"], cutoffs)
    seasonal = season_ratios is not None and _calibrate_season(
        result, published["spend"], per_task["spend"], season_ratios, cutoffs
    )
    _calibrate_totals(result, published["spend"], per_task["spend"], cutoffs, blocked=seasonal)
    return result


def _calibrate_purchase(result, model: str, folds: list[FoldPredictions], cutoffs) -> None:
    y = np.concatenate([f.y for f in folds])
    raw = np.concatenate([f.pred for f in folds])
    tables = [reliability_table(y, raw).assign(probability="raw")]
    usable = len(folds) >= 2 and len(np.unique(y)) == 2
    applied = False
    if usable:
        held_out = leave_one_fold_out(folds)
        result.metric_rows += [
            _row(model, "purchase", f.fold, cutoffs[f.fold], "brier_calibrated", brier)
            for f, brier in ((f, brier_score(f.y, p)) for f, p in zip(folds, held_out, strict=True))
        ]
        before = np.mean([brier_score(f.y, f.pred) for f in folds])
        after = np.mean([brier_score(f.y, p) for f, p in zip(folds, held_out, strict=True)])
        calibrated = reliability_table(y, np.concatenate(held_out))
        tables.append(calibrated.assign(probability="calibrated"))
        applied = bool(after < before)
        if applied:
            result.scaler = PlattScaler().fit(raw, y)
            result.threshold = best_f1_threshold(y, result.scaler.transform(raw))
    if usable:
        result.metric_rows.append(
            _row(model, "purchase", None, None, "calibration_applied", applied)
        )
    result.reliability = pd.concat(tables, ignore_index=True).assign(model_name=model)


def _scale_helps(
    model: str,
    folds: list[FoldPredictions],
    factors: Sequence[float],
    name: str,
    cutoffs,
    every_fold: bool = False,
) -> tuple[bool, list[dict]]:
    """Whether multiplying each fold's predictions by its factor brings the folds' totals closer
    to the actual totals without raising the mean RMSE (``every_fold``: without raising any
    fold's RMSE); and the per-fold rows ``rmse_<name>`` and ``total_ratio_<name>``."""
    rows: list[dict] = []
    rmse, rmse_scaled, off, off_scaled = [], [], [], []
    for f, s in zip(folds, factors, strict=True):
        actual = f.y.sum()
        rmse.append(np.sqrt(np.mean((f.pred - f.y) ** 2)))
        rmse_scaled.append(np.sqrt(np.mean((f.pred * s - f.y) ** 2)))
        ratio = f.pred.sum() / actual if actual > 0 else np.nan
        off.append(abs(ratio - 1))
        off_scaled.append(abs(ratio * s - 1))
        rows += [
            _row(model, "spend", f.fold, cutoffs[f.fold], f"rmse_{name}", rmse_scaled[-1]),
            _row(model, "spend", f.fold, cutoffs[f.fold], f"total_ratio_{name}", ratio * s),
        ]
    rmse_ok = (
        all(a <= b for a, b in zip(rmse_scaled, rmse, strict=True))
        if every_fold
        else np.mean(rmse_scaled) <= np.mean(rmse)
    )
    return bool(np.nanmean(off_scaled) < np.nanmean(off) and rmse_ok), rows


def _calibrate_totals(
    result, model: str, folds: list[FoldPredictions], cutoffs, blocked: bool = False
) -> None:
    """One factor over the folds, tried leave-one-fold-out; ``blocked`` when the season
    calibration already scales the predictions."""
    if len(folds) < 2:
        return
    scale, held_out = totals_scale(folds)
    helps, rows = _scale_helps(model, folds, held_out, "scaled", cutoffs)
    applied = helps and not blocked
    if applied:
        result.scale = scale
    result.metric_rows += [
        *rows,
        _row(model, "spend", None, None, "totals_scale_applied", applied),
        _row(model, "spend", None, None, "totals_scale", scale if applied else 1.0),
    ]


def _calibrate_season(
    result, model: str, folds: list[FoldPredictions], ratios: Mapping[int, float], cutoffs
) -> bool:
    """Scale by the score window's season reference ratio if scaling each fold by its own
    reference's ratio helps (the folds that have one; no fold's RMSE may rise, as a reference
    a year back rests on a shorter history and can overcorrect); True when applied."""
    checked = [f for f in folds if np.isfinite(ratios.get(f.fold, np.nan))]
    factors = [ratios[f.fold] for f in checked]
    score = ratios.get(0, np.nan)
    applied = False
    if checked:
        helps, rows = _scale_helps(model, checked, factors, "season", cutoffs, every_fold=True)
        result.metric_rows += rows + [
            _row(model, "spend", f.fold, cutoffs[f.fold], "season_factor", factor)
            for f, factor in zip(checked, factors, strict=True)
        ]
        applied = helps and bool(np.isfinite(score) and score > 0)
    if applied:
        result.scale = score
    result.metric_rows += [
        _row(model, "spend", None, None, "season_scale_applied", applied),
        _row(model, "spend", None, None, "season_scale", score if applied else 1.0),
        _row(model, "spend", None, None, "season_folds", len(checked)),
    ]
    return applied
