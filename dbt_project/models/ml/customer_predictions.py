"""Every customer's predictions at the score cutoff T: purchase probability and spend for the
horizon_days after T (published models, refitted on the latest labelled window), p_alive and a
12-month CLV from the BG/NBD + Gamma-Gamma pair fitted on the history up to T. Loads the models
model_registry saved; nothing is refitted here."""

from pathlib import Path

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.prediction.artifacts import load_model, load_run, read_frames
    from models_py.prediction.scoring import score_customers
    from models_py.prediction.snapshots import scoring_columns


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("model_registry").df()
    run_id = str(registry["run_id"].iloc[0])
    _, summary = load_run(Path(registry["artifact_path"].iloc[0]).parent)
    final = registry[(registry["fit_role"] == "final") & registry["is_published"]]
    paths = dict(zip(final["task"], final["artifact_path"], strict=True))
    purchase, spend, clv = (load_model(paths[task]) for task in ("purchase", "spend", "clv"))
    frames, _ = read_frames(
        dbt.ref("customer_feature_snapshots"),
        dbt.ref("prediction_last_window"),
        dbt.ref("customer_label_snapshots"),
        roles=("score",),
        columns=scoring_columns([purchase, spend, clv]),
    )
    predictions = score_customers(
        frames["score"],
        purchase,
        spend,
        clv.estimator,
        summary["settings"]["horizon_days"],
        summary["settings"]["clv_days"],
    )
    predictions["run_id"] = run_id
    return predictions
