"""Permutation importance of each candidate model's features on the evaluation split, using the
models model_registry fitted on the train cutoff (loaded from their artifacts, not refitted)."""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import model_feature_importance_table
    from models_py.prediction.artifacts import frame_reader


def model(dbt, session):
    dbt.config(materialized="table")
    snapshots = dbt.ref("customer_feature_snapshots")
    last_window = dbt.ref("prediction_last_window")
    labels = dbt.ref("customer_label_snapshots")
    read = frame_reader(snapshots, last_window, labels)

    return model_feature_importance_table(dbt.ref("model_registry").df(), read)
