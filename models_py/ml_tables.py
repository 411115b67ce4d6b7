"""The ML tables as both engines build them: each function takes pandas frames, settings and a
reader, and returns the table one dbt Python model (models/ml/*.py, prediction_evaluation.py)
returns on DuckDB, and the Spark ML step (models_py.spark.ml_step) writes on Spark.

The dbt models only read their refs and call these; the Spark step calls the same functions on
a bounded sample (fitting) and scores every customer in Spark with the same fitted models.
A ``FrameReader`` reads the prediction snapshots: ``read(roles, columns)`` (roles None: every
cutoff) returns the per-role frames and warnings, as
``models_py.prediction.artifacts.read_frames`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from models_py.prediction.artifacts import (
    EVALUATION_PREDICTIONS,
    RELIABILITY,
    load_model,
    load_run,
    load_saved_result,
    registry_frame,
    run_dir,
    save_run,
)
from models_py.prediction.importance import IMPORTANCE_COLUMNS, feature_importance
from models_py.prediction.models import predict_task
from models_py.prediction.registry import model_spec
from models_py.prediction.scoring import score_customers
from models_py.prediction.snapshots import input_columns, scoring_columns
from models_py.prediction.training import (
    SELECTION,
    FittedModel,
    evaluation_table,
    train_and_evaluate,
)
from models_py.segmentation.definitions import SegmentDefinition
from models_py.segmentation.kmeans import (
    CustomerSegmenter,
    assign_segments,
    k_selection_method,
    select_k,
)
from models_py.settings import PredictionSettings, SegmentSettings

FrameReader = Callable[
    [tuple[str, ...] | None, Sequence[str]], tuple[dict[str, pd.DataFrame], list[str]]
]
Progress = Callable[[str], None]

IMPORTANCE_TABLE_COLUMNS = ["run_id", *IMPORTANCE_COLUMNS, "is_published"]

EVALUATION_COLUMNS = {
    "customer_id": "string",
    "as_of_date": "datetime64[s]",
    "evaluation_mode": "string",
    "purchase_model_name": "string",
    "spend_model_name": "string",
    "p_purchase": "float64",
    "predicted_spend": "float64",
    "purchased_next_horizon": "bool",
    "spend_next_horizon": "float64",
}

CALIBRATION_COLUMNS = {
    "model_name": "string",
    "probability": "string",
    "bin": "int64",
    "bin_lower": "float64",
    "bin_upper": "float64",
    "customers": "int64",
    "mean_predicted": "float64",
    "observed_rate": "float64",
}

REUSE_NULLS = (None, "", "None", "none", "null")


# ---------------------------------------------------------------------------------------------
# Segmentation.
# ---------------------------------------------------------------------------------------------


def segment_k_selection_table(
    features: pd.DataFrame, settings: SegmentSettings, run_id: str, progress: Progress | None
) -> pd.DataFrame:
    """segment_k_selection: inertia and silhouette for every k of the configured range."""
    table = select_k(features, settings, progress)
    table.insert(0, "run_id", run_id)
    table.insert(1, "as_of_date", features["as_of_date"].max() if len(features) else None)
    # select_k names the algorithm it fitted (the curve may be fitted on a sample); last column.
    table["algorithm"] = table.pop("algorithm")
    return table


def segment_model_table(
    features: pd.DataFrame,
    selection: pd.DataFrame,
    definitions: Sequence[SegmentDefinition],
    settings: SegmentSettings,
    run_id: str,
) -> pd.DataFrame:
    """segment_model: K-Means of the selected k fitted on ``features``, one row per segment and
    feature."""
    k = int(selection.loc[selection["is_selected"], "k"].iloc[0])
    segmenter = CustomerSegmenter(replace(settings, n_clusters=k), definitions)
    segmenter.fit(features)
    table = segmenter.model_table(
        run_id=run_id,
        fitted_at=datetime.now(UTC).replace(tzinfo=None),
        as_of_date=features["as_of_date"].max(),
    )
    table["k_selection"] = k_selection_method(settings)
    return table


def customer_segments_table(features: pd.DataFrame, parameters: pd.DataFrame) -> pd.DataFrame:
    """customer_segments: each customer's nearest stored centroid."""
    assigned = assign_segments(features, parameters)
    assigned["run_id"] = parameters["run_id"].iloc[0]
    assigned["as_of_date"] = parameters["as_of_date"].iloc[0]
    return assigned


# ---------------------------------------------------------------------------------------------
# Prediction.
# ---------------------------------------------------------------------------------------------


def model_registry_table(
    read: FrameReader,
    snapshot_columns: Sequence[str],
    settings: PredictionSettings,
    run_id: str,
    artifacts_dir: str | Path,
    reuse_run_id: object,
    report: Callable[[str, str], None],
) -> pd.DataFrame:
    """model_registry: fit, evaluate and save every model (or list a reused run's models).
    ``report(message, level)`` shows warnings and progress."""
    if reuse_run_id not in REUSE_NULLS:
        # Score with an earlier run's saved models: nothing is fitted.
        saved = run_dir(artifacts_dir, str(reuse_run_id))
        result, paths = load_saved_result(saved, settings.horizon_days)
        for message in result.messages:
            report(message, "warn")
        return registry_frame(result, run_id, paths, fitted_run_id=str(reuse_run_id))
    # Every cutoff of the snapshots: the backtest folds train and evaluate on them all.
    frames, messages = read(None, input_columns(snapshot_columns, settings))
    result = train_and_evaluate(frames, settings, lambda message: report(message, "info"))
    result.messages[:0] = messages
    for message in result.messages:
        report(message, "warn")
    paths = save_run(result, settings, run_dir(artifacts_dir, run_id))
    return registry_frame(result, run_id, paths)


def model_metrics_table(registry: pd.DataFrame) -> pd.DataFrame:
    """model_metrics: the saved evaluation metrics, long format."""
    run_id = str(registry["run_id"].iloc[0])
    directory = Path(registry["artifact_path"].iloc[0]).parent
    metrics, summary = load_run(directory)
    published = summary["published"]
    metrics.insert(0, "run_id", run_id)
    for column in ("fold", "cutoff_date"):
        if column not in metrics:  # saved by a run from before the backtests
            metrics[column] = None
    metrics["fold"] = metrics["fold"].astype("Int64")
    metrics["cutoff_date"] = pd.to_datetime(metrics["cutoff_date"]).dt.date
    metrics["model_kind"] = [model_spec(name).kind for name in metrics["model_name"]]
    metrics["evaluation_mode"] = summary["evaluation_mode"]
    # Typed flags, so a run with no metrics (nothing evaluated) still writes boolean columns.
    metrics["is_published"] = pd.Series(
        [
            published.get(task) == name
            for task, name in zip(metrics["task"], metrics["model_name"], strict=True)
        ],
        index=metrics.index,
        dtype=bool,
    )
    metrics["is_selection_metric"] = pd.Series(
        [
            SELECTION.get(task, (None,))[0] == metric
            for task, metric in zip(metrics["task"], metrics["metric"], strict=True)
        ],
        index=metrics.index,
        dtype=bool,
    )
    metrics["higher_is_better"] = pd.Series(
        [
            (SELECTION[task][1] == "max") if selected else None
            for task, selected in zip(metrics["task"], metrics["is_selection_metric"], strict=True)
        ],
        index=metrics.index,
        dtype="boolean",
    )
    metrics["value"] = metrics["value"].astype(float)
    return metrics


def model_calibration_table(registry: pd.DataFrame) -> pd.DataFrame:
    """model_calibration: the published purchase model's saved reliability table."""
    run_id = str(registry["run_id"].iloc[0])
    path = Path(registry["artifact_path"].iloc[0]).parent / RELIABILITY
    if path.exists():  # a reused run shows the calibration of the models it reuses
        table = pd.read_parquet(path)[list(CALIBRATION_COLUMNS)].astype(CALIBRATION_COLUMNS)
    else:
        table = pd.DataFrame({c: pd.Series(dtype=t) for c, t in CALIBRATION_COLUMNS.items()})
    table.insert(0, "run_id", run_id)
    return table


def model_feature_importance_table(registry: pd.DataFrame, read: FrameReader) -> pd.DataFrame:
    """model_feature_importance: permutation importance of each candidate on the evaluate split."""
    run_id = str(registry["run_id"].iloc[0])
    _, summary = load_run(Path(registry["artifact_path"].iloc[0]).parent)
    settings = PredictionSettings(**summary["settings"])
    chosen = registry[
        (registry["fit_role"] == "evaluation") & (registry["model_kind"] == "candidate")
    ]
    if chosen.empty:
        numeric = {
            "importance": "float64",
            "importance_std": "float64",
            "rank": "int64",
            "rows": "int64",
            "is_published": "bool",
        }
        return pd.DataFrame(
            {c: pd.Series(dtype=numeric.get(c, "string")) for c in IMPORTANCE_TABLE_COLUMNS}
        )
    models = [load_model(path) for path in chosen["artifact_path"]]
    frames, _ = read(("evaluate",), scoring_columns(models))
    importance = feature_importance(models, frames["evaluate"], settings)
    importance.insert(0, "run_id", run_id)
    published = {
        (task, name)
        for task, name, flag in zip(
            chosen["task"], chosen["model_name"], chosen["is_published"], strict=True
        )
        if flag
    }
    importance["is_published"] = [
        (task, name) in published
        for task, name in zip(importance["task"], importance["model_name"], strict=True)
    ]
    return importance[IMPORTANCE_TABLE_COLUMNS]


def published_models(registry: pd.DataFrame) -> tuple[FittedModel, FittedModel, FittedModel, dict]:
    """The published final purchase, spend and CLV models of a registry, and the run summary."""
    _, summary = load_run(Path(registry["artifact_path"].iloc[0]).parent)
    final = registry[(registry["fit_role"] == "final") & registry["is_published"]]
    paths = dict(zip(final["task"], final["artifact_path"], strict=True))
    purchase, spend, clv = (load_model(paths[task]) for task in ("purchase", "spend", "clv"))
    return purchase, spend, clv, summary


def customer_predictions_table(registry: pd.DataFrame, read: FrameReader) -> pd.DataFrame:
    """customer_predictions: every customer at the score cutoff scored by the published models."""
    purchase, spend, clv, summary = published_models(registry)
    frames, _ = read(("score",), scoring_columns([purchase, spend, clv]))
    return predictions_frame(frames["score"], (purchase, spend, clv), summary, registry)


def predictions_frame(
    score: pd.DataFrame,
    models: tuple[FittedModel, FittedModel, FittedModel],
    summary: dict,
    registry: pd.DataFrame,
) -> pd.DataFrame:
    """customer_predictions' rows for the customers of ``score`` (a whole snapshot on DuckDB,
    one partition on Spark)."""
    purchase, spend, clv = models
    predictions = score_customers(
        score,
        purchase,
        spend,
        clv.estimator,
        summary["settings"]["horizon_days"],
        summary["settings"]["clv_days"],
    )
    predictions["run_id"] = str(registry["run_id"].iloc[0])
    return predictions


def prediction_evaluation_table(registry: pd.DataFrame, read: FrameReader) -> pd.DataFrame:
    """prediction_evaluation: the published models' predictions on the evaluation split beside
    what each customer did."""
    published = registry[
        (registry["fit_role"] == "evaluation")
        & registry["is_published"].astype(bool)
        & registry["task"].isin(["purchase", "spend"])
    ]
    paths = dict(zip(published["task"], published["artifact_path"], strict=True))
    names = dict(zip(published["task"], published["model_name"], strict=True))
    modes = dict(zip(published["task"], published["evaluation_mode"], strict=True))
    if {"purchase", "spend"} - set(paths):
        # Too little history for an out-of-time split (evaluation_mode 'none'): model_registry
        # already warned; there is nothing to evaluate, so the table is empty, not an error.
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVALUATION_COLUMNS.items()})
    saved = Path(paths["purchase"]).parent / EVALUATION_PREDICTIONS
    fitted_here = set(published["fitted_run_id"]) == set(published["run_id"])
    if fitted_here and saved.exists():
        table = pd.read_parquet(saved)
    else:
        # Reused models: their saved predictions are of the earlier run's evaluation split.
        purchase = load_model(paths["purchase"])
        spend = load_model(paths["spend"])
        frames, _ = read(("evaluate",), scoring_columns([purchase, spend]))
        evaluate = frames["evaluate"]
        table = evaluation_table(
            evaluate,
            predict_task(purchase.estimator, "purchase", evaluate),
            predict_task(spend.estimator, "spend", evaluate),
        )
    table.insert(2, "evaluation_mode", modes["purchase"])
    table.insert(3, "purchase_model_name", names["purchase"])
    table.insert(4, "spend_model_name", names["spend"])
    return table
