"""Evaluation metrics of every candidate and baseline of this run on every backtest fold (long
format), read from the artifacts model_registry saved; nothing is refitted here."""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import model_metrics_table


def model(dbt, session):
    dbt.config(materialized="table")
    return model_metrics_table(dbt.ref("model_registry").df())
