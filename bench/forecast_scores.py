"""The forecast harness's scores: every registry model refitted as the pipeline refits it (on
the latest labelled window, BG/NBD + Gamma-Gamma on the history at T), the published predictions,
and each judged against what customers did after T."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from models_py.prediction.artifacts import LAST_WINDOW, read_frames
from models_py.prediction.metrics import roc_auc
from models_py.prediction.models import TASKS, predict_task
from models_py.prediction.registry import MODELS, BuildContext, make_model
from models_py.prediction.snapshots import model_features
from models_py.prediction.training import TARGETS
from models_py.settings import PredictionSettings, prediction_settings_from_vars

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = "published"


def project_settings(horizon_days: int) -> PredictionSettings:
    """The prediction settings of dbt_project.yml's vars (what a run uses by default)."""
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())
    dbt_vars = {**project["vars"], "horizon_days": horizon_days}
    return prediction_settings_from_vars(dbt_vars.get)


def _context(score: pd.DataFrame, settings: PredictionSettings) -> BuildContext:
    features = model_features(score.columns, settings)
    categorical = [c for c in features if c in settings.categorical_features]
    return BuildContext(
        numeric=[c for c in features if c not in categorical],
        categorical=categorical,
        last_window_spend=LAST_WINDOW[0],
        last_window_orders=LAST_WINDOW[1],
        settings=settings,
    )


def _frames(build: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(build), read_only=True) as con:
        frames, _ = read_frames(
            con.table("customer_feature_snapshots"),
            con.table("prediction_last_window"),
            con.table("customer_label_snapshots"),
        )
    return frames


def model_predictions(
    build: Path, settings: PredictionSettings, names: Sequence[str] = tuple(MODELS)
) -> pd.DataFrame:
    """Per customer at T and model ``names``: p_purchase and predicted_spend, each model fitted
    as the pipeline fits its published one for scoring (labelled models on the evaluate cutoff's
    snapshot and labels, BG/NBD + Gamma-Gamma on the snapshot at T)."""
    frames = _frames(build)
    evaluate, score = frames["evaluate"], frames["score"]
    context = _context(score, settings)
    parts = []
    for name in names:
        predicted = {}
        for task in TASKS:
            model = make_model(name, task, context)
            if name == "btyd":  # as the pipeline's scoring fit: the history at T, no labels
                model.fit(score)
            else:
                model.fit(evaluate, evaluate[TARGETS[task]])
            predicted[task] = predict_task(model, task, score)
        parts.append(
            pd.DataFrame(
                {
                    "model": name,
                    "customer_id": score["customer_id"].astype(str).to_numpy(),
                    "p_purchase": predicted["purchase"],
                    "predicted_spend": predicted["spend"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def published_predictions(build: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """customer_predictions of the run, and the published model of each task."""
    with duckdb.connect(str(build), read_only=True) as con:
        preds = con.execute(
            "select cast(customer_id as varchar) as customer_id, p_purchase, "
            "cast(predicted_spend as double) as predicted_spend, purchase_model_name, "
            "spend_model_name from customer_predictions"
        ).df()
    names = {
        "purchase": str(preds["purchase_model_name"].iloc[0]),
        "spend": str(preds["spend_model_name"].iloc[0]),
    }
    table = preds[["customer_id", "p_purchase", "predicted_spend"]].assign(model=PUBLISHED)
    return table, names


def spend_scaling(build: Path) -> dict[str, float]:
    """The run's calibration facts about the published spend model (season_scale_applied,
    season_scale, season_folds, totals_scale_applied, totals_scale)."""
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute(
            "select metric, value from model_metrics where split = 'final' and task = 'spend'"
        ).fetchall()
    return {metric: float(value) for metric, value in rows}


def evaluation_split_scores(build: Path) -> pd.DataFrame:
    """The run's own evaluation-split spend RMSE and purchase ROC AUC per model (the single
    window the pipeline chose by)."""
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute(
            "select model_name as model, task, metric, value from model_metrics "
            "where split = 'evaluate' and metric in ('rmse', 'roc_auc', 'total_predicted', "
            "'total_actual')"
        ).df()


def score_predictions(predictions: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Per model: spend RMSE, purchase ROC AUC, total predicted / actual spend and the customer
    count, over the customers scored at T (no order after T: spend 0, no purchase)."""
    outcome = actual.assign(customer_id=actual["customer_id"].astype(str))
    rows = []
    for model, group in predictions.groupby("model", sort=False):
        joined = group.merge(outcome, on="customer_id", how="left", validate="one_to_one")
        spend = joined["actual_spend"].fillna(0.0).to_numpy(float)
        bought = (joined["actual_orders"].fillna(0) > 0).to_numpy(int)
        predicted = joined["predicted_spend"].to_numpy(float)
        rows.append(
            {
                "model": model,
                "customers": len(joined),
                "spend_rmse": float(np.sqrt(np.mean((predicted - spend) ** 2))),
                "purchase_roc_auc": roc_auc(bought, joined["p_purchase"].to_numpy(float)),
                "total_predicted_over_actual": float(predicted.sum() / spend.sum()),
            }
        )
    return pd.DataFrame(rows)
