"""Glue between the warehouse tables and the prediction pipeline: reading the snapshot tables
into per-cutoff frames, saving and loading fitted models, and the registry/metrics tables.

No dbt imports: the dbt Python models in ``dbt_project/models/ml`` pass DataFrames and paths in.
Artifacts of one run live in ``<artifacts_dir>/<run_id>/prediction/``: one joblib file per fitted
model (``<fit_role>__<task>__<model_name>.joblib``), ``metrics.parquet``, ``run.json`` and
``evaluation_predictions.parquet`` (the published models on the latest backtest fold) and
``reliability.parquet`` (the published purchase model's reliability table over the folds).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import joblib
import pandas as pd

from models_py.prediction.snapshots import (
    JOINED_LABELS,
    KEYS,
    duplicate_label_error,
    finish_snapshot,
    require_columns,
    snapshot_frames,
)
from models_py.prediction.training import FittedModel, TrainingResult
from models_py.settings import PredictionSettings

__all__ = [
    "EVALUATION_PREDICTIONS",
    "RELIABILITY",
    "ROLES",
    "frame_reader",
    "load_frames",
    "load_model",
    "load_run",
    "load_saved_result",
    "read_frames",
    "registry_frame",
    "run_dir",
    "save_run",
]

REGISTRY_COLUMNS = [
    "run_id",
    "fitted_run_id",
    "model_name",
    "task",
    "model_kind",
    "fit_role",
    "is_published",
    "evaluation_mode",
    "train_cutoff",
    "label_window_start",
    "label_window_end",
    "training_rows",
    "threshold",
    "features",
    "params",
    "artifact_path",
    "fitted_at",
]


ROLES = ("train", "evaluate", "score")  # always present; deeper backtest cutoffs are back_<n>
RELIABILITY = "reliability.parquet"  # TrainingResult.reliability
EVALUATION_PREDICTIONS = "evaluation_predictions.parquet"  # TrainingResult.evaluation_predictions
LAST_WINDOW = ("spend_last_horizon", "orders_last_horizon")  # prediction_last_window's inputs


def load_frames(
    snapshots: pd.DataFrame,
    last_window: pd.DataFrame,
    labels: pd.DataFrame,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Per-role frames (train, evaluate, score) from the warehouse tables, plus warnings.

    ``snapshots`` is customer_feature_snapshots (with cutoff_role), ``last_window`` is
    prediction_last_window (spend/orders in the horizon before each cutoff), ``labels`` is
    customer_label_snapshots. ``read_frames`` does the same from warehouse relations.
    """
    if "cutoff_role" not in snapshots.columns:
        raise KeyError("customer_feature_snapshots lacks column 'cutoff_role'")
    cutoffs = _cutoffs(snapshots[["cutoff_role", "as_of_date"]].drop_duplicates())
    feats = snapshots.merge(
        last_window[["as_of_date", "customer_id", *LAST_WINDOW]],
        on=["as_of_date", "customer_id"],
        how="left",
        validate="one_to_one",
    )
    feats[list(LAST_WINDOW)] = feats[list(LAST_WINDOW)].fillna(0)
    return _role_frames(feats, labels, cutoffs)


def read_frames(
    snapshots,
    last_window,
    labels,
    roles: tuple[str, ...] | None = None,
    columns: Sequence[str] | None = None,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """``load_frames`` on warehouse relations (DuckDB relations, as dbt Python models get from
    ``dbt.ref``): the filter to the cutoffs of ``roles``, the join of the last-window inputs and
    the sort run in the database, so pandas receives one ready snapshot when a model needs one
    (at a million customers every snapshot is a million rows). Frames of other roles are empty.

    ``roles``: the cutoffs to read; None reads every cutoff of the snapshots (the backtests
    need them all). ``columns``: the snapshot columns to read (``input_columns`` or
    ``scoring_columns``; the keys and cutoff_role always come). A named column the snapshot
    lacks is skipped here, so the step that needs it raises its own error naming it. None
    reads them all.
    """
    if "cutoff_role" not in snapshots.columns:
        raise KeyError("customer_feature_snapshots lacks column 'cutoff_role'")
    cutoffs = _cutoffs(snapshots.project("cutoff_role, as_of_date").distinct().df())
    known = (*ROLES, *sorted(set(cutoffs) - set(ROLES)))
    roles = known if roles is None else roles
    unknown = set(roles) - set(known)
    if unknown:
        raise ValueError(f"unknown cutoff role(s) {sorted(unknown)}; choose from {known}")
    wanted = set(snapshots.columns if columns is None else [*columns, "cutoff_role"])
    picked = [c for c in snapshots.columns if c in wanted or c in KEYS]
    require_columns("customer_label_snapshots", labels.columns, (*KEYS, *JOINED_LABELS))
    _require_score_cutoff(cutoffs)
    frames: dict[str, pd.DataFrame] = {}
    messages: list[str] = []
    # One cutoff at a time, labels joined in DuckDB: pandas then holds one snapshot, not three.
    for role in (r for r in known if r in roles and cutoffs.get(r) is not None):
        cutoff = pd.Timestamp(cutoffs[role])
        frames[role], role_messages = _read_role(
            (snapshots, last_window, labels), role, cutoff, picked
        )
        messages += role_messages
    if not frames:  # no role asked for has rows: empty frames with the columns, and the checks
        empty = snapshots.limit(0).project(", ".join(picked)).df()
        empty = empty.assign(**{c: pd.Series(dtype=float) for c in LAST_WINDOW})
        return _role_frames(empty, labels.limit(0).df(), cutoffs)
    return _with_empty_roles(frames), messages


def _read_role(
    relations: tuple, role: str, cutoff: pd.Timestamp, picked: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """One cutoff's snapshot (``picked`` columns) with its last-window amounts and, unless it
    is the score cutoff, its labels, joined and sorted in the database."""
    snapshots, last_window, labels = relations
    keep = f"as_of_date = cast('{cutoff:%Y-%m-%d}' as date)"
    joined = (
        snapshots.filter(keep)
        .set_alias("s")
        .join(
            last_window.filter(keep).set_alias("w"),
            "s.as_of_date = w.as_of_date and s.customer_id = w.customer_id",
            how="left",
        )
    )
    filled = ", ".join(f"coalesce(w.{c}, 0) as {c}" for c in LAST_WINDOW)
    selected = [*(f"s.{c}" for c in picked), filled]
    messages: list[str] = []
    if role != "score":
        role_labels = labels.filter(keep)
        _check_one_label_per_customer(role_labels, cutoff)
        messages = list(_incomplete_horizon(role_labels, role))
        joined = joined.join(
            role_labels.set_alias("l"),
            "s.as_of_date = l.as_of_date and s.customer_id = l.customer_id",
            how="left",
        )
        selected += [f"l.{c}" for c in JOINED_LABELS]
    feats = joined.project(", ".join(selected)).order("customer_id").df()
    return finish_snapshot(feats, role, cutoff), messages


def frame_reader(snapshots, last_window, labels):
    """``read(roles, columns)`` over warehouse relations (a ``models_py.ml_tables.FrameReader``):
    ``read_frames`` of those relations."""

    def read(roles: tuple[str, ...] | None, columns: Sequence[str] | None):
        return read_frames(snapshots, last_window, labels, roles=roles, columns=columns)

    return read


def _with_empty_roles(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every role: those not read get no rows and the columns of a frame that was read."""
    like = next(iter(frames.values())).iloc[0:0]
    out = {}
    for role in dict.fromkeys([*ROLES, *frames]):
        if role in frames:
            out[role] = frames[role]
        elif role == "score":
            out[role] = like.drop(columns=list(JOINED_LABELS), errors="ignore")
        else:
            out[role] = like.assign(**{c: pd.Series(dtype=float) for c in JOINED_LABELS})
    return out


def _check_one_label_per_customer(role_labels, cutoff: pd.Timestamp) -> None:
    """Raise naming a customer with several label rows at the cutoff (a join would repeat them)."""
    repeated = (
        role_labels.aggregate("customer_id, count(*) as label_rows", "customer_id")
        .filter("label_rows > 1")
        .order("customer_id")
        .limit(1)
        .fetchall()
    )
    if repeated:
        raise duplicate_label_error(repeated[0][0], cutoff)


def _incomplete_horizon(role_labels, role: str) -> list[str]:
    """The warning for a cutoff whose label horizon runs past the end of the data."""
    if "is_horizon_complete" not in role_labels.columns:
        return []
    if not role_labels.filter("not is_horizon_complete").limit(1).fetchall():
        return []
    return [_incomplete_horizon_message(role)]


def _incomplete_horizon_message(role: str) -> str:
    return (
        f"the {role} cutoff's label horizon runs past the end of the data: its labels "
        "count only the observed part of the horizon"
    )


def _cutoffs(pairs: pd.DataFrame) -> dict[str, object]:
    """Role -> as_of_date from the distinct (cutoff_role, as_of_date) pairs of the snapshots."""
    if pairs["cutoff_role"].duplicated().any():
        raise ValueError("customer_feature_snapshots has several as_of_dates for one cutoff_role")
    return dict(zip(pairs["cutoff_role"], pairs["as_of_date"], strict=True))


def _require_score_cutoff(cutoffs: dict[str, object]) -> None:
    if cutoffs.get("score") is None:
        raise ValueError("customer_feature_snapshots has no 'score' cutoff rows")


def _role_frames(
    feats: pd.DataFrame, labels: pd.DataFrame, cutoffs: dict[str, object]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    messages: list[str] = []
    if {"is_horizon_complete", "cutoff_role"} <= set(labels.columns):
        incomplete = labels[
            ~labels["is_horizon_complete"].astype(bool) & (labels["cutoff_role"] != "score")
        ]
        messages += [
            _incomplete_horizon_message(role) for role in sorted(incomplete["cutoff_role"].unique())
        ]
    _require_score_cutoff(cutoffs)
    roles = {**{role: cutoffs.get(role) for role in ROLES}, **cutoffs}
    # A cutoff before the first order has no snapshot rows; keep its date for the messages.
    for role in ("train", "evaluate"):
        if roles[role] is None:
            roles[role] = pd.Timestamp("1900-01-01")
    return snapshot_frames(feats, labels, roles), messages


def run_dir(artifacts_dir: str | Path, run_id: str) -> Path:
    return Path(artifacts_dir).resolve() / run_id / "prediction"


def save_run(result: TrainingResult, settings: PredictionSettings, directory: Path) -> dict:
    """Save every fitted model, the metrics and a run summary; returns model key -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for m in result.models:
        path = directory / f"{m.key}.joblib"
        joblib.dump(m, path, compress=3)
        paths[m.key] = str(path)
    result.metrics.to_parquet(directory / "metrics.parquet", index=False)
    if result.evaluation_predictions is not None:
        result.evaluation_predictions.to_parquet(directory / EVALUATION_PREDICTIONS, index=False)
    if result.reliability is not None:
        result.reliability.to_parquet(directory / RELIABILITY, index=False)
    summary = {
        "evaluation_mode": result.evaluation_mode,
        "published": result.published,
        "features": result.features,
        "messages": result.messages,
        "cutoffs": {k: str(v) for k, v in result.cutoffs.items()},
        "settings": json.loads(settings.as_json()),
    }
    (directory / "run.json").write_text(json.dumps(summary, indent=2, sort_keys=True))
    return paths


def load_model(path: str | Path) -> FittedModel:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"model artifact {path} is missing; rebuild model_registry to refit (it writes "
            "artifacts under CA_ARTIFACTS_DIR/<run_id>/prediction/)"
        )
    model = joblib.load(path)
    if not isinstance(model, FittedModel):
        raise TypeError(f"{path} does not hold a FittedModel")
    return model


def load_run(directory: Path) -> tuple[pd.DataFrame, dict]:
    """The metrics and the run summary saved by ``save_run``."""
    return pd.read_parquet(directory / "metrics.parquet"), json.loads(
        (directory / "run.json").read_text()
    )


def load_saved_result(directory: Path, horizon_days: int) -> tuple[TrainingResult, dict]:
    """The models, metrics and choices an earlier run saved in ``directory``, to score with them
    without refitting; returns the result and model key -> artifact path."""
    if not (directory / "run.json").exists():
        raise FileNotFoundError(
            f"no saved prediction run in {directory} (var prediction_reuse_run_id names a run "
            "whose artifacts are under CA_ARTIFACTS_DIR/<run_id>/prediction/)"
        )
    metrics, summary = load_run(directory)
    saved_horizon = int(summary["settings"]["horizon_days"])
    if saved_horizon != int(horizon_days):
        raise ValueError(
            f"the saved run in {directory} predicts {saved_horizon} days ahead but var "
            f"horizon_days is {horizon_days}; refit (unset prediction_reuse_run_id) instead"
        )
    paths = {path.stem: str(path) for path in sorted(directory.glob("*.joblib"))}
    models = [load_model(path) for path in paths.values()]
    result = TrainingResult(
        evaluation_mode=summary["evaluation_mode"],
        cutoffs=summary["cutoffs"],
        models=models,
        metrics=metrics,
        published=summary["published"],
        features=summary["features"],
        messages=[f"scoring with the models saved in {directory}, not refitted"],
    )
    return result, paths


def registry_frame(
    result: TrainingResult, run_id: str, paths: dict, fitted_run_id: str | None = None
) -> pd.DataFrame:
    """One model_registry row per fitted model. ``fitted_run_id``: the run that fitted the
    models (defaults to ``run_id``; differs when a run reuses an earlier run's models)."""
    now = datetime.now(UTC).replace(tzinfo=None)

    def as_date(value):
        return None if value is None else pd.Timestamp(value).date()

    rows = [
        {
            "run_id": run_id,
            "fitted_run_id": fitted_run_id or run_id,
            "model_name": m.model_name,
            "task": m.task,
            "model_kind": m.kind,
            "fit_role": m.fit_role,
            "is_published": bool(m.is_published),
            "evaluation_mode": result.evaluation_mode,
            "train_cutoff": as_date(m.train_cutoff),
            "label_window_start": as_date(m.label_window_start),
            "label_window_end": as_date(m.label_window_end),
            "training_rows": int(m.training_rows),
            "threshold": m.threshold,
            "features": json.dumps(m.features),
            "params": m.params_json(),
            "artifact_path": paths[m.key],
            "fitted_at": now,
        }
        for m in result.models
    ]
    frame = pd.DataFrame(rows, columns=REGISTRY_COLUMNS)
    for col in ("train_cutoff", "label_window_start", "label_window_end"):
        frame[col] = pd.to_datetime(frame[col])
    frame["threshold"] = frame["threshold"].astype(float)
    return frame
