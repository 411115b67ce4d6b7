"""Permutation importance of each candidate's features on the evaluation split."""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from models_py.prediction.metrics import (
    roc_auc,
)
from models_py.prediction.snapshots import subsample
from models_py.prediction.training import TARGETS, FittedModel
from models_py.settings import PredictionSettings

# The columns of feature_importance's table, in order.
IMPORTANCE_COLUMNS: tuple[str, ...] = (
    "model_name",
    "task",
    "fit_role",
    "feature",
    "importance",
    "importance_std",
    "rank",
    "method",
    "rows",
)


def _feature_blocks(transformer) -> dict[str, list[int]]:
    """Columns of the fitted ColumnTransformer's output that each input feature produces
    (a numeric feature and its missing indicator; a categorical feature's one-hot block)."""
    blocks: dict[str, list[int]] = {}
    for name, step, columns in transformer.transformers_:
        if name == "remainder" or step == "drop":
            continue
        out = transformer.output_indices_[name]
        positions = range(out.start, out.stop)
        if name == "numeric":
            for pos, out_name in zip(positions, step.get_feature_names_out(columns), strict=True):
                feature = out_name.removeprefix("missingindicator_")
                blocks.setdefault(str(feature), []).append(pos)
        else:
            sizes = [len(c) for c in step[-1].categories_]
            pos = out.start
            for feature, size in zip(columns, sizes, strict=True):
                blocks[feature] = list(range(pos, pos + size))
                pos += size
    return blocks


def _permutation_importance(
    pipeline,
    task: str,
    X: pd.DataFrame,
    y: np.ndarray,
    features: list[str],
    repeats: int,
    random_state: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Permutation importance computed on the preprocessed matrix: shuffling a feature's output
    columns jointly equals shuffling the raw column (every preprocessing step works row by row),
    and predicting from the matrix skips the per-call DataFrame overhead."""
    matrix = np.asarray(pipeline[:-1].transform(X), dtype=float)
    estimator = pipeline[-1]
    blocks = _feature_blocks(pipeline.named_steps["features"])

    def score(data: np.ndarray) -> float:
        if task == "purchase":
            return roc_auc(y, estimator.predict_proba(data)[:, 1])
        pred = np.clip(estimator.predict(data), 0.0, None)
        return -float(np.sqrt(np.mean((y - pred) ** 2)))

    base = score(matrix)
    rng = np.random.default_rng(random_state)
    drops = np.zeros((len(features), repeats))
    for i, feature in enumerate(features):
        cols = blocks.get(feature, [])
        if not cols:  # a feature the preprocessing dropped (all missing when fitted)
            continue
        saved = matrix[:, cols].copy()
        for r in range(repeats):
            matrix[:, cols] = saved[rng.permutation(len(matrix))]
            drops[i, r] = base - score(matrix)
        matrix[:, cols] = saved
    return drops.mean(axis=1), drops.std(axis=1)


def feature_importance(
    models: list[FittedModel], frame: pd.DataFrame, settings: PredictionSettings
) -> pd.DataFrame:
    """Permutation importance of each candidate's features on ``frame`` (the evaluation split):
    the drop in ROC AUC (purchase) or the rise in RMSE (spend) when a feature is shuffled."""
    with threadpool_limits(limits=settings.n_threads):
        return _feature_importance(models, frame, settings)


def _feature_importance(
    models: list[FittedModel], frame: pd.DataFrame, settings: PredictionSettings
) -> pd.DataFrame:
    rows = []
    sample = subsample(frame, settings.importance_rows, settings.random_state)
    for m in models:
        if m.kind != "candidate" or not m.features:
            continue
        target = TARGETS[m.task]
        mean, std = _permutation_importance(
            m.estimator,
            m.task,
            sample,  # whole rows: a derived-feature step reads non-feature columns (BTYD inputs)
            sample[target].to_numpy(float),
            m.features,
            settings.importance_repeats,
            settings.random_state,
        )
        order = np.argsort(-mean, kind="stable")
        rank = np.empty(len(order), dtype=int)
        rank[order] = np.arange(1, len(order) + 1)
        for i, feat in enumerate(m.features):
            rows.append(
                {
                    "model_name": m.model_name,
                    "task": m.task,
                    "fit_role": m.fit_role,
                    "feature": feat,
                    "importance": float(mean[i]),
                    "importance_std": float(std[i]),
                    "rank": int(rank[i]),
                    "method": "permutation_roc_auc" if m.task == "purchase" else "permutation_rmse",
                    "rows": len(sample),
                }
            )
    return pd.DataFrame(rows, columns=list(IMPORTANCE_COLUMNS))
