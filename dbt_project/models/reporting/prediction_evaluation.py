"""The published models' predictions on the out-of-time evaluation split, beside what each
customer actually did in the horizon: the input of prediction_lift and of the report's lift and
predicted-vs-actual charts. model_registry saved these predictions when it evaluated the models
(fitted on the train cutoff only); a run that reuses an earlier run's models predicts again with
that run's saved evaluation fits. Nothing is refitted here."""

from pathlib import Path

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    import pandas as pd

    from models_py.prediction.artifacts import EVALUATION_PREDICTIONS, load_model, read_frames
    from models_py.prediction.models import predict_task
    from models_py.prediction.snapshots import scoring_columns
    from models_py.prediction.training import evaluation_table


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("model_registry").df()
    published = registry[
        (registry["fit_role"] == "evaluation")
        & registry["is_published"].astype(bool)
        & registry["task"].isin(["purchase", "spend"])
    ]
    paths = dict(zip(published["task"], published["artifact_path"], strict=True))
    names = dict(zip(published["task"], published["model_name"], strict=True))
    modes = dict(zip(published["task"], published["evaluation_mode"], strict=True))
    missing = {"purchase", "spend"} - set(paths)
    if missing:
        # Too little history for an out-of-time split (evaluation_mode 'none'): model_registry
        # already warned; there is nothing to evaluate, so the table is empty, not an error.
        return pd.DataFrame(
            {
                "customer_id": pd.Series(dtype="string"),
                "as_of_date": pd.Series(dtype="datetime64[s]"),
                "evaluation_mode": pd.Series(dtype="string"),
                "purchase_model_name": pd.Series(dtype="string"),
                "spend_model_name": pd.Series(dtype="string"),
                "p_purchase": pd.Series(dtype="float64"),
                "predicted_spend": pd.Series(dtype="float64"),
                "purchased_next_horizon": pd.Series(dtype="bool"),
                "spend_next_horizon": pd.Series(dtype="float64"),
            }
        )
    saved = Path(paths["purchase"]).parent / EVALUATION_PREDICTIONS
    fitted_here = set(published["fitted_run_id"]) == set(published["run_id"])
    if fitted_here and saved.exists():
        table = pd.read_parquet(saved)
    else:
        # Reused models: their saved predictions are of the earlier run's evaluation split.
        purchase = load_model(paths["purchase"])
        spend = load_model(paths["spend"])
        frames, _ = read_frames(
            dbt.ref("customer_feature_snapshots"),
            dbt.ref("prediction_last_window"),
            dbt.ref("customer_label_snapshots"),
            roles=("evaluate",),
            columns=scoring_columns([purchase, spend]),
        )
        evaluate = frames["evaluate"]
        table = evaluation_table(
            evaluate,
            predict_task(purchase.estimator, "purchase", evaluate),
            predict_task(spend.estimator, "spend", evaluate),
        )
    table.insert(2, "evaluation_mode", modes["purchase"])
    table.insert(3, "purchase_model_name", names["purchase"])
    table.insert(4, "spend_model_name", names["spend"])
    return table
