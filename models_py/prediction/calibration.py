"""Calibration of the published models from their out-of-fold backtest predictions.

Purchase: Platt scaling (a logistic regression on the logit of the model's probability), fitted
on every fold's predictions, each made by a model trained before that fold's cutoff. It is
monotone, so ranking metrics (ROC AUC, lift) do not change; only the probabilities do. Whether
it helps is measured leave-one-fold-out: each fold is calibrated by a fit on the other folds
and its Brier score compared with the raw one; the calibration is published only if the mean
Brier score falls.

Spend totals: one factor (sum actual / sum predicted over the folds) scales every prediction,
applied only if, leave-one-fold-out, it brings the folds' totals closer to the actual totals
without raising the mean RMSE.

Season: the published spend model's actual / predicted spend on the window a year before the
one predicted (its season reference, backtests.season_references) scales its predictions, applied
only if scaling each backtest fold by its own reference's ratio helps by the same rule. It takes
precedence over the one factor, which cannot follow a bias that changes sign with the season.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

__all__ = [
    "CalibratedClassifier",
    "PlattScaler",
    "ScaledRegressor",
    "brier_score",
    "leave_one_fold_out",
    "reliability_table",
    "spend_ratio",
    "totals_scale",
]

EPS = 1e-6
RELIABILITY_BINS = 10


def brier_score(y_true, p_pred) -> float:
    """Mean squared difference between the probability and the 0/1 outcome."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(p_pred, dtype=float)
    return float(np.mean((p - y) ** 2))


def _logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p)).reshape(-1, 1)


class PlattScaler:
    """p -> sigmoid(a * logit(p) + b), a and b fitted by logistic regression."""

    def fit(self, p, y) -> PlattScaler:
        y = np.asarray(y, dtype=int)
        if len(np.unique(y)) < 2:
            raise ValueError("calibration needs both outcomes among the backtest rows")
        self.model_ = LogisticRegression(C=1e6, max_iter=1000).fit(_logit(p), y)
        return self

    def transform(self, p) -> np.ndarray:
        return self.model_.predict_proba(_logit(p))[:, 1]


@dataclass(frozen=True)
class FoldPredictions:
    """One fold's out-of-fold predictions of one model beside the outcomes."""

    fold: int
    y: np.ndarray
    pred: np.ndarray


def leave_one_fold_out(folds: Sequence[FoldPredictions]) -> list[np.ndarray]:
    """Each fold's probabilities calibrated by a Platt fit on the other folds."""
    out = []
    for held in folds:
        rest = [f for f in folds if f.fold != held.fold]
        p = np.concatenate([f.pred for f in rest])
        y = np.concatenate([f.y for f in rest])
        out.append(PlattScaler().fit(p, y).transform(held.pred))
    return out


def reliability_table(y_true, p_pred, bins: int = RELIABILITY_BINS) -> pd.DataFrame:
    """Equal-width probability bins: bounds, customers, mean predicted, observed rate."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(p_pred, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        n = int(inside.sum())
        rows.append(
            {
                "bin": b + 1,
                "bin_lower": b / bins,
                "bin_upper": (b + 1) / bins,
                "customers": n,
                "mean_predicted": float(p[inside].mean()) if n else np.nan,
                "observed_rate": float(y[inside].mean()) if n else np.nan,
            }
        )
    return pd.DataFrame(rows)


def totals_scale(folds: Sequence[FoldPredictions]) -> tuple[float, list[float]]:
    """The overall factor sum actual / sum predicted, and each fold's leave-one-out factor
    (from the other folds); 1.0 where nothing was predicted."""

    def ratio(parts):
        predicted = sum(float(f.pred.sum()) for f in parts)
        return sum(float(f.y.sum()) for f in parts) / predicted if predicted > 0 else 1.0

    held_out = [ratio([f for f in folds if f.fold != held.fold]) for held in folds]
    return ratio(folds), held_out


def spend_ratio(actual, predicted) -> float:
    """Total actual over total predicted; NaN when nothing was predicted."""
    total = float(np.sum(predicted))
    return float(np.sum(actual)) / total if total > 0 else float("nan")


class CalibratedClassifier:
    """A fitted classifier whose probabilities pass through a fitted ``PlattScaler``."""

    def __init__(self, estimator, scaler: PlattScaler) -> None:
        self.estimator = estimator
        self.scaler = scaler

    @property
    def named_steps(self):
        return getattr(self.estimator, "named_steps", {"model": self.estimator})

    def predict_proba(self, X) -> np.ndarray:
        p = self.scaler.transform(np.asarray(self.estimator.predict_proba(X))[:, 1])
        return np.column_stack([1 - p, p])


class ScaledRegressor:
    """A fitted regressor whose predictions are multiplied by ``scale``."""

    def __init__(self, estimator, scale: float) -> None:
        self.estimator = estimator
        self.scale = float(scale)

    @property
    def named_steps(self):
        return getattr(self.estimator, "named_steps", {"model": self.estimator})

    def predict(self, X) -> np.ndarray:
        return np.asarray(self.estimator.predict(X), dtype=float) * self.scale
