"""Evaluation metrics of every candidate and baseline of this run on every backtest fold (long
format), read from the artifacts model_registry saved; nothing is refitted here."""

from pathlib import Path

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    import pandas as pd

    from models_py.prediction.artifacts import load_run
    from models_py.prediction.registry import model_spec
    from models_py.prediction.training import SELECTION


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("model_registry").df()
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
    metrics["is_published"] = [
        published.get(task) == name
        for task, name in zip(metrics["task"], metrics["model_name"], strict=True)
    ]
    metrics["is_selection_metric"] = [
        SELECTION.get(task, (None,))[0] == metric
        for task, metric in zip(metrics["task"], metrics["metric"], strict=True)
    ]
    metrics["higher_is_better"] = [
        (SELECTION[task][1] == "max") if selected else None
        for task, selected in zip(metrics["task"], metrics["is_selection_metric"], strict=True)
    ]
    metrics["value"] = metrics["value"].astype(float)
    return metrics
