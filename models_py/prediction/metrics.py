"""Evaluation metrics for the purchase classifier and the spend regressor.

Plain numpy implementations (checked against scikit-learn and a hand calculation in the tests),
so every number in `model_metrics` has one definition, written down here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "best_f1_threshold",
    "classification_metrics",
    "regression_metrics",
    "roc_auc",
    "top_decile_lift",
]

LOG_LOSS_EPS = 1e-15


def _arrays(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float).reshape(-1)
    s = np.asarray(y_score, dtype=float).reshape(-1)
    if len(y) != len(s):
        raise ValueError(f"y_true has {len(y)} rows but the predictions have {len(s)}")
    if len(y) == 0:
        raise ValueError("cannot compute metrics on zero rows")
    for name, arr in (("y_true", y), ("prediction", s)):
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(f"{name} is not finite at row {int(np.flatnonzero(bad)[0])}")
    return y, s


def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties); NaN if one class."""
    y, s = _arrays(y_true, y_score)
    pos = y == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def top_decile_lift(y_true, y_score) -> float:
    """Mean outcome in the 10% of rows with the highest score, divided by the overall mean.

    The top decile holds ceil(n / 10) rows; ties in the score are broken by row order (stable
    sort). 1.0 means no better than random; NaN when the overall mean is 0.
    """
    y, s = _arrays(y_true, y_score)
    overall = y.mean()
    if overall == 0:
        return float("nan")
    k = int(np.ceil(len(y) / 10))
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean() / overall)


def classification_metrics(y_true, p_pred, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, precision, recall, F1 (at `threshold`, predicted positive if p >= threshold),
    ROC AUC, log loss (probabilities clipped to [1e-15, 1 - 1e-15]), Brier score (mean squared
    error of the probability), top-decile lift."""
    y, p = _arrays(y_true, p_pred)
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must be 0/1")
    pred = p >= threshold
    pos = y == 1
    tp = float(np.sum(pred & pos))
    fp = float(np.sum(pred & ~pos))
    fn = float(np.sum(~pred & pos))
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    pc = np.clip(p, LOG_LOSS_EPS, 1 - LOG_LOSS_EPS)
    log_loss = float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    return {
        "accuracy": float(np.mean(pred == pos)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "roc_auc": roc_auc(y, p),
        "log_loss": log_loss,
        "brier": float(np.mean((p - y) ** 2)),
        "threshold": float(threshold),
        "top_decile_lift": top_decile_lift(y, p),
        "positive_rate": float(y.mean()),
        "predicted_positive_rate": float(pred.mean()),
        "rows": float(len(y)),
    }


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """RMSE, MAE, R-squared (1 - SSE/SST; NaN if y is constant), totals and their ratio
    (predicted / actual), top-decile lift."""
    y, f = _arrays(y_true, y_pred)
    err = f - y
    sst = float(np.sum((y - y.mean()) ** 2))
    return {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae": float(np.mean(np.abs(err))),
        "r2": float(1 - np.sum(err**2) / sst) if sst > 0 else float("nan"),
        "total_predicted": float(f.sum()),
        "total_actual": float(y.sum()),
        # Totals bias: 1.0 predicts the horizon's total spend exactly; NaN when nothing was spent.
        "total_ratio": float(f.sum() / y.sum()) if y.sum() > 0 else float("nan"),
        "top_decile_lift": top_decile_lift(y, f),
        "rows": float(len(y)),
    }


def best_f1_threshold(y_true, p_pred) -> float:
    """The probability threshold that maximises F1 on (y_true, p_pred); 0.5 if no positives.

    Candidates are the distinct predicted values (predicted positive if p >= threshold); ties go
    to the highest threshold.
    """
    y, p = _arrays(y_true, p_pred)
    n_pos = float(np.sum(y == 1))
    if n_pos == 0:
        return 0.5
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order]
    tp = np.cumsum(y_sorted == 1)
    predicted = np.arange(1, len(p) + 1)
    # Only the last row of each run of equal scores is a valid cut.
    last_of_run = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    f1 = 2 * tp / (predicted + n_pos)
    f1 = np.where(last_of_run, f1, -1.0)
    best = int(np.argmax(f1))
    return float(p_sorted[best])
