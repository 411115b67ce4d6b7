"""The published purchase model's reliability table over the backtest folds: per probability
bin, the customers, the mean predicted probability and the observed purchase rate, raw and
(with two folds or more) calibrated leave-one-fold-out. Read from the artifacts model_registry
saved; empty without an evaluation."""

from pathlib import Path

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    import pandas as pd

    from models_py.prediction.artifacts import RELIABILITY

COLUMNS = {
    "model_name": "string",
    "probability": "string",
    "bin": "int64",
    "bin_lower": "float64",
    "bin_upper": "float64",
    "customers": "int64",
    "mean_predicted": "float64",
    "observed_rate": "float64",
}


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("model_registry").df()
    run_id = str(registry["run_id"].iloc[0])
    path = Path(registry["artifact_path"].iloc[0]).parent / RELIABILITY
    if path.exists():  # a reused run shows the calibration of the models it reuses
        table = pd.read_parquet(path)[list(COLUMNS)].astype(COLUMNS)
    else:
        table = pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    table.insert(0, "run_id", run_id)
    return table
