"""Permutation importance of each candidate model's features on the evaluation split, using the
models model_registry fitted on the train cutoff (loaded from their artifacts, not refitted)."""

from pathlib import Path

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    import pandas as pd

    from models_py.prediction.artifacts import load_model, load_run, read_frames
    from models_py.prediction.importance import IMPORTANCE_COLUMNS, feature_importance
    from models_py.prediction.snapshots import scoring_columns
    from models_py.settings import PredictionSettings

COLUMNS = ["run_id", *IMPORTANCE_COLUMNS, "is_published"]


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("model_registry").df()
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
        return pd.DataFrame({c: pd.Series(dtype=numeric.get(c, "string")) for c in COLUMNS})
    models = [load_model(path) for path in chosen["artifact_path"]]
    frames, _ = read_frames(
        dbt.ref("customer_feature_snapshots"),
        dbt.ref("prediction_last_window"),
        dbt.ref("customer_label_snapshots"),
        roles=("evaluate",),
        columns=scoring_columns(models),
    )
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
    return importance[COLUMNS]
