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
    from models_py.prediction_artifacts import (
        load_saved_result,
        read_frames,
        registry_frame,
        run_dir,
        save_run,
        settings_from_config,
    )
    from models_py.prediction_pipeline import input_columns, train_and_evaluate


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    config = {
        "horizon_days": meta.get("horizon_days"),
        "features": meta.get("prediction_features"),
        "categorical_features": meta.get("prediction_categorical_features"),
        "random_state": meta.get("prediction_random_state"),
        "hgb_max_iter": meta.get("prediction_hgb_max_iter"),
        "min_train_customers": meta.get("prediction_min_train_customers"),
        "max_train_rows": meta.get("prediction_max_train_rows"),
        "clv_days": meta.get("prediction_clv_days"),
        "n_threads": meta.get("prediction_n_threads"),
        "n_jobs": meta.get("prediction_n_jobs"),
    }
    artifacts_dir = meta.get("artifacts_dir") or "../warehouse/artifacts"
    settings = settings_from_config(config)
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
