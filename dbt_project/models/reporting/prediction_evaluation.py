"""The published models' predictions on the out-of-time evaluation split, beside what each
customer actually did in the horizon: the input of prediction_lift and of the report's lift and
predicted-vs-actual charts. model_registry saved these predictions when it evaluated the models
(fitted on the train cutoff only); a run that reuses an earlier run's models predicts again with
that run's saved evaluation fits. Nothing is refitted here."""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import prediction_evaluation_table
    from models_py.prediction.artifacts import frame_reader


def model(dbt, session):
    dbt.config(materialized="table")
    snapshots = dbt.ref("customer_feature_snapshots")
    last_window = dbt.ref("prediction_last_window")
    labels = dbt.ref("customer_label_snapshots")
    read = frame_reader(snapshots, last_window, labels)

    return prediction_evaluation_table(dbt.ref("model_registry").df(), read)
