"""The published models' predictions on the out-of-time evaluation split, beside what each
customer actually did in the horizon: the input of prediction_lift and of the report's lift and
predicted-vs-actual charts. Loads the evaluation fits that model_registry saved (fitted on the
train cutoff only); nothing is refitted here."""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    import pandas as pd

    from models_py.prediction import predict_task
    from models_py.prediction_artifacts import load_model, read_frames


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
    frames, _ = read_frames(
        dbt.ref("customer_feature_snapshots"),
        dbt.ref("prediction_last_window"),
        dbt.ref("customer_label_snapshots"),
        roles=("evaluate",),
    )
    evaluate = frames["evaluate"]
    purchase = load_model(paths["purchase"])
    spend = load_model(paths["spend"])
    return pd.DataFrame(
        {
            "customer_id": evaluate["customer_id"].astype(str).to_numpy(),
            "as_of_date": pd.to_datetime(evaluate["as_of_date"]).dt.date.to_numpy(),
            "evaluation_mode": modes["purchase"],
            "purchase_model_name": names["purchase"],
            "spend_model_name": names["spend"],
            "p_purchase": predict_task(purchase.estimator, "purchase", evaluate),
            "predicted_spend": predict_task(spend.estimator, "spend", evaluate),
            "purchased_next_horizon": evaluate["purchased_next_horizon"].astype(bool).to_numpy(),
            "spend_next_horizon": evaluate["spend_next_horizon"].astype(float).to_numpy(),
        }
    )
