"""Every customer's predictions at the score cutoff T: purchase probability and spend for the
horizon_days after T (published models, refitted on the latest labelled window), p_alive and a
12-month CLV from the BG/NBD + Gamma-Gamma pair fitted on the history up to T. Loads the models
model_registry saved; nothing is refitted here."""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import customer_predictions_table
    from models_py.prediction.artifacts import frame_reader


def model(dbt, session):
    dbt.config(materialized="table")
    snapshots = dbt.ref("customer_feature_snapshots")
    last_window = dbt.ref("prediction_last_window")
    labels = dbt.ref("customer_label_snapshots")
    read = frame_reader(snapshots, last_window, labels)

    return customer_predictions_table(dbt.ref("model_registry").df(), read)
