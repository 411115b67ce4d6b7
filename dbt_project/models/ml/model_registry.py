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
    from models_py.dbt_log import dbt_line, dbt_progress
    from models_py.prediction.artifacts import (
        load_saved_result,
        read_frames,
        registry_frame,
        run_dir,
        save_run,
    )
    from models_py.prediction.snapshots import input_columns
    from models_py.prediction.training import train_and_evaluate
    from models_py.settings import prediction_settings_from_vars


def model(dbt, session):
    dbt.config(materialized="table")
    # The meta holds the dbt vars by name (see _prediction.yml).
    meta = dbt.config.get("meta") or {}
    artifacts_dir = meta["artifacts_dir"]
    settings = prediction_settings_from_vars(meta.get)
    ml_run = dbt.ref("ml_run").df()
    run_id = str(ml_run["run_id"].iloc[0])
    reuse = meta.get("prediction_reuse_run_id")
    if reuse not in (None, "", "None", "none", "null"):
        # Score with an earlier run's saved models: nothing is fitted.
        result, paths = load_saved_result(run_dir(artifacts_dir, str(reuse)), settings.horizon_days)
        for message in result.messages:
            dbt_line("model_registry", message, "warn")
        return registry_frame(result, run_id, paths, fitted_run_id=str(reuse))
    snapshots = dbt.ref("customer_feature_snapshots")
    frames, messages = read_frames(
        snapshots,
        dbt.ref("prediction_last_window"),
        dbt.ref("customer_label_snapshots"),
        columns=input_columns(snapshots.columns, settings),
    )
    result = train_and_evaluate(frames, settings, dbt_progress("model_registry"))
    result.messages[:0] = messages
    for message in result.messages:
        dbt_line("model_registry", message, "warn")
    paths = save_run(result, settings, run_dir(artifacts_dir, run_id))
    return registry_frame(result, run_id, paths)
