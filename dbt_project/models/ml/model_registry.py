"""Fit every purchase/spend candidate and baseline out of time, choose the published models,
refit them for scoring, save the artifacts and return one registry row per fitted model.

The only place the prediction models are fitted: model_metrics, model_feature_importance and
customer_predictions load the artifacts written here (paths in this table). Settings come from
dbt vars (prediction_* and horizon_days) through the model config in _ml__models.yml.
With var prediction_reuse_run_id set, nothing is fitted: the registry lists that earlier run's
saved models (fitted_run_id) and the downstream models score with them.
"""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.dbt_log import dbt_line
    from models_py.ml_tables import model_registry_table
    from models_py.prediction.artifacts import frame_reader
    from models_py.settings import prediction_settings_from_vars


def model(dbt, session):
    dbt.config(materialized="table")
    # The meta holds the dbt vars by name (see _prediction.yml).
    meta = dbt.config.get("meta") or {}
    settings = prediction_settings_from_vars(meta.get)
    ml_run = dbt.ref("ml_run").df()
    snapshots = dbt.ref("customer_feature_snapshots")
    last_window = dbt.ref("prediction_last_window")
    labels = dbt.ref("customer_label_snapshots")
    read = frame_reader(snapshots, last_window, labels)

    return model_registry_table(
        read,
        snapshots.columns,
        settings,
        str(ml_run["run_id"].iloc[0]),
        meta["artifacts_dir"],
        meta.get("prediction_reuse_run_id"),
        lambda message, level: dbt_line("model_registry", message, level),
    )
