"""Evaluation metrics of every candidate and baseline of this run (long format), read from the
artifacts model_registry saved; nothing is refitted here."""

from pathlib import Path

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.prediction.artifacts import load_run


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("model_registry").df()
    run_id = str(registry["run_id"].iloc[0])
    directory = Path(registry["artifact_path"].iloc[0]).parent
    metrics, summary = load_run(directory)
    published = summary["published"]
    metrics.insert(0, "run_id", run_id)
    metrics["evaluation_mode"] = summary["evaluation_mode"]
    metrics["is_published"] = [
        published.get(task) == name
        for task, name in zip(metrics["task"], metrics["model_name"], strict=True)
    ]
    metrics["value"] = metrics["value"].astype(float)
    return metrics
