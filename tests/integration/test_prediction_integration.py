"""Prediction tables after the real `dbt build` on the small generated warehouse (1,500 customers,
seed 7), plus a rebuild of the snapshots on altered raw data to prove no training feature reads
past its window."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from helpers import Warehouse, dbt_env, run_dbt

from models_py.prediction.registry import baseline_names, candidate_names

pytestmark = pytest.mark.integration

TASKS = {"purchase", "spend"}
MODELS = {*candidate_names(), *baseline_names()}  # the models a run fits by default
# read_frames' / load_frames' inputs, in their argument order.
FRAME_TABLES = (
    "customer_feature_snapshots",
    "prediction_last_window",
    "customer_label_snapshots",
)


def test_registry_has_every_model_and_one_published_per_task(built_warehouse: Warehouse):
    reg = built_warehouse.query("select * from model_registry")
    run_id = built_warehouse.query("select run_id from ml_run")["run_id"].iloc[0]
    assert set(reg["run_id"]) == {run_id}
    assert set(reg["evaluation_mode"]) == {"out_of_time"}
    evals = reg[reg["fit_role"] == "evaluation"]
    for task in TASKS:
        assert set(evals.loc[evals["task"] == task, "model_name"]) == MODELS
        for role in ("evaluation", "final"):
            chosen = reg[(reg["task"] == task) & (reg["fit_role"] == role) & reg["is_published"]]
            assert len(chosen) == 1, (task, role)
    finals = reg[reg["fit_role"] == "final"]
    assert set(finals["task"]) == {"purchase", "spend", "clv"}
    for path in reg["artifact_path"]:
        assert Path(path).is_file()
        assert Path(path).is_relative_to(built_warehouse.artifacts_dir.resolve() / run_id)
    # Evaluation fits use features at T-2H and labels up to T-H only.
    cutoffs = built_warehouse.query("select cutoff_role, as_of_date from int_feature_cutoffs")
    cut = dict(zip(cutoffs["cutoff_role"], pd.to_datetime(cutoffs["as_of_date"]), strict=True))
    assert set(pd.to_datetime(evals["train_cutoff"])) == {cut["train"]}
    labelled = evals[evals["label_window_end"].notna()]
    assert set(pd.to_datetime(labelled["label_window_end"])) == {cut["evaluate"]}


def test_published_models_beat_the_naive_baselines(built_warehouse: Warehouse):
    m = built_warehouse.query("select * from model_backtest_summary where split = 'evaluate'")
    value = m.set_index(["task", "model_name", "metric"])["mean_value"]
    published = m[m["is_published"]].groupby("task")["model_name"].first()
    spend, purchase = published["spend"], published["purchase"]
    rmse = value.xs(("spend", "rmse"), level=("task", "metric"))
    auc = value.xs(("purchase", "roc_auc"), level=("task", "metric"))
    assert rmse[spend] < rmse["zero"]
    assert rmse[spend] < rmse["last_window"]
    assert auc[purchase] > auc["last_window"]


def test_predictions_cover_every_customer_at_the_score_cutoff(built_warehouse: Warehouse):
    preds = built_warehouse.query("select * from customer_predictions")
    score = built_warehouse.query(
        "select customer_id, as_of_date from customer_feature_snapshots where cutoff_role = 'score'"
    )
    assert sorted(preds["customer_id"]) == sorted(score["customer_id"])
    assert set(pd.to_datetime(preds["as_of_date"])) == set(pd.to_datetime(score["as_of_date"]))
    run_id = built_warehouse.query("select run_id from ml_run")["run_id"].iloc[0]
    assert set(preds["run_id"]) == {run_id}
    assert preds["p_purchase"].between(0, 1).all()
    assert preds["p_alive"].between(0, 1).all()
    assert (preds["predicted_clv_12m"] >= 0).all()
    # A year's CLV is at least the horizon's spend for the BG/NBD pair, on average.
    assert preds["predicted_clv_12m"].mean() > 0


def _alter_orders_after(raw_dir: Path, out_dir: Path, order_ids: set[str]) -> int:
    """Copy the raw files, doubling the quantity of every line of the given orders."""
    shutil.copytree(raw_dir, out_dir)
    path = out_dir / "order_lines.csv"
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = list(reader)
    changed = 0
    for row in rows:
        if row["order_id"].strip() in order_ids and row["quantity"].strip().lstrip("-").isdigit():
            row["quantity"] = str(int(row["quantity"]) * 2)
            changed += 1
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return changed


def test_training_snapshot_ignores_data_after_the_training_window(
    built_warehouse: Warehouse, tmp_path: Path
):
    """Doubling every order after T-H (the end of the training labels) leaves the training
    features and labels untouched, while the later snapshots do change."""
    later = built_warehouse.query(
        "select order_id from int_orders where order_date > "
        "(select as_of_date from int_feature_cutoffs where cutoff_role = 'evaluate')"
    )
    changed = _alter_orders_after(built_warehouse.raw_dir, tmp_path / "raw", set(later["order_id"]))
    assert changed > 0
    env = dbt_env(tmp_path / "raw", tmp_path / "altered.duckdb", tmp_path / "artifacts")
    run_dbt(env, tmp_path, "run", "--select", "+customer_label_snapshots")
    snapshot_sql = (
        "select * from customer_feature_snapshots where cutoff_role = '{role}' order by customer_id"
    )
    label_sql = (
        "select * from customer_label_snapshots where cutoff_role = 'train' order by customer_id"
    )
    with duckdb.connect(str(tmp_path / "altered.duckdb"), read_only=True) as con:
        altered_train = con.sql(snapshot_sql.format(role="train")).df()
        altered_labels = con.sql(label_sql).df()
        altered_score = con.sql(snapshot_sql.format(role="score")).df()
    pd.testing.assert_frame_equal(
        built_warehouse.query(snapshot_sql.format(role="train")), altered_train
    )
    pd.testing.assert_frame_equal(built_warehouse.query(label_sql), altered_labels)
    original_score = built_warehouse.query(snapshot_sql.format(role="score"))
    assert altered_score["monetary"].sum() > original_score["monetary"].sum()


def test_a_later_run_scores_with_saved_models_without_refitting(
    built_warehouse: Warehouse, tmp_path: Path
):
    """With var prediction_reuse_run_id, a new run lists the earlier run's artifacts in the
    registry and reproduces its predictions exactly; nothing new is saved."""
    first_run = built_warehouse.query("select run_id from ml_run")["run_id"].iloc[0]
    db_copy = tmp_path / "reuse.duckdb"
    shutil.copy(built_warehouse.db_path, db_copy)
    env = dbt_env(built_warehouse.raw_dir, db_copy, built_warehouse.artifacts_dir)
    before = {p.name for p in built_warehouse.artifacts_dir.iterdir()}
    run_dbt(
        env,
        tmp_path,
        "run",
        "--select",
        "ml_run model_registry customer_predictions model_metrics prediction_evaluation",
        "--vars",
        f"{{prediction_reuse_run_id: '{first_run}'}}",
    )
    assert {p.name for p in built_warehouse.artifacts_dir.iterdir()} == before
    with duckdb.connect(str(db_copy), read_only=True) as con:
        registry = con.sql("select * from model_registry").df()
        second_run = con.sql("select run_id from ml_run").df()["run_id"].iloc[0]
        preds = con.sql("select * from customer_predictions order by customer_id").df()
        metrics = con.sql("select * from model_metrics").df()
        evaluation = con.sql("select * from prediction_evaluation order by customer_id").df()
    assert second_run != first_run
    assert set(registry["run_id"]) == {second_run}
    assert set(registry["fitted_run_id"]) == {first_run}
    original = built_warehouse.query("select * from customer_predictions order by customer_id")
    columns = ["customer_id", "p_purchase", "predicted_spend", "predicted_clv_12m", "p_alive"]
    pd.testing.assert_frame_equal(preds[columns], original[columns])
    assert set(preds["run_id"]) == {second_run}
    assert len(metrics) == len(built_warehouse.query("select * from model_metrics"))
    # The reused models predict the evaluation split again: what the first run had saved.
    saved = built_warehouse.query("select * from prediction_evaluation order by customer_id")
    pd.testing.assert_frame_equal(evaluation, saved, check_dtype=False)


def test_read_frames_filters_in_the_warehouse_and_matches_load_frames(built_warehouse: Warehouse):
    """read_frames (relations, filtered and joined in DuckDB) gives the same frames as
    load_frames on the whole tables, and only the roles asked for."""
    from models_py.prediction.artifacts import load_frames, read_frames

    with built_warehouse.connect() as con:
        everything, _ = load_frames(*(con.table(t).df() for t in FRAME_TABLES))
        only_score, _ = read_frames(*(con.table(t) for t in FRAME_TABLES), roles=("score",))
        only_evaluate, _ = read_frames(*(con.table(t) for t in FRAME_TABLES), roles=("evaluate",))
        with pytest.raises(ValueError, match="unknown cutoff role"):
            read_frames(*(con.table(t) for t in FRAME_TABLES), roles=("scoring",))
    assert len(only_score["train"]) == len(only_score["evaluate"]) == 0
    assert len(only_evaluate["score"]) == 0
    for role, frames in (("score", only_score), ("evaluate", only_evaluate)):
        expected, got = everything[role], frames[role]
        assert len(got) > 0
        pd.testing.assert_frame_equal(
            got[expected.columns], expected, check_dtype=False, check_exact=False
        )


def test_models_read_only_the_columns_they_use_and_score_the_same(built_warehouse: Warehouse):
    """The Python models read the snapshot columns fitting and scoring use (input_columns /
    scoring_columns), not the other columns beside them; customer_predictions, built from those
    frames, equals scoring the same saved models on every column."""
    from models_py.prediction.artifacts import load_frames, load_model, load_run, read_frames
    from models_py.prediction.scoring import score_customers
    from models_py.prediction.snapshots import PIPELINE_COLUMNS, input_columns, scoring_columns
    from models_py.settings import PredictionSettings

    registry = built_warehouse.query("select * from model_registry")
    _, summary = load_run(Path(registry["artifact_path"].iloc[0]).parent)
    settings = PredictionSettings(**summary["settings"])
    final = registry[(registry["fit_role"] == "final") & registry["is_published"]]
    paths = dict(zip(final["task"], final["artifact_path"], strict=True))
    purchase, spend, clv = (load_model(paths[task]) for task in ("purchase", "spend", "clv"))
    with built_warehouse.connect() as con:
        snapshots = con.table(FRAME_TABLES[0])
        fitting = input_columns(snapshots.columns, settings)
        read, _ = read_frames(*(con.table(t) for t in FRAME_TABLES), columns=fitting)
        everything, _ = load_frames(*(con.table(t).df() for t in FRAME_TABLES))

    assert set(summary["features"]) <= set(fitting)
    assert {"city", "rfm_segment", "age_band", "favourite_category"}.isdisjoint(fitting)
    labels = {"orders_next_horizon", "spend_next_horizon", "purchased_next_horizon"}
    extra = {"cutoff_role", "spend_last_horizon", "orders_last_horizon"}
    for role, frame in read.items():
        expected_columns = {*fitting, *extra} | (labels if role != "score" else set())
        assert set(frame.columns) == expected_columns, role
        pd.testing.assert_frame_equal(frame, everything[role][frame.columns], check_dtype=False)
    assert set(PIPELINE_COLUMNS) <= set(scoring_columns([purchase, spend, clv]))

    columns = ["customer_id", "p_purchase", "predicted_spend", "predicted_clv_12m", "p_alive"]
    on_every_column = score_customers(
        everything["score"],
        purchase,
        spend,
        clv.estimator,
        settings.horizon_days,
        settings.clv_days,
    )
    published = built_warehouse.query("select * from customer_predictions order by customer_id")
    pd.testing.assert_frame_equal(
        published[columns],
        on_every_column.sort_values("customer_id", ignore_index=True)[columns],
        check_dtype=False,
    )


def test_prediction_evaluation_is_the_evaluation_behind_model_metrics(built_warehouse: Warehouse):
    """prediction_evaluation holds what the published evaluation fits predict on the evaluate
    split (kept from model_registry's evaluation, not predicted again), and its errors are the
    ones model_metrics reports for those models."""
    from models_py.prediction.artifacts import load_model, read_frames
    from models_py.prediction.metrics import regression_metrics, roc_auc
    from models_py.prediction.models import predict_task

    table = built_warehouse.query("select * from prediction_evaluation order by customer_id")
    registry = built_warehouse.query(
        "select * from model_registry where fit_role = 'evaluation' and is_published"
    )
    paths = zip(registry["task"], registry["artifact_path"], strict=True)
    models = {task: load_model(path) for task, path in paths}
    with built_warehouse.connect() as con:
        frames, _ = read_frames(*(con.table(t) for t in FRAME_TABLES), roles=("evaluate",))
    evaluate = frames["evaluate"]
    assert table["customer_id"].tolist() == evaluate["customer_id"].astype(str).tolist()
    for task, column in (("purchase", "p_purchase"), ("spend", "predicted_spend")):
        assert set(table[f"{task}_model_name"]) == {models[task].model_name}
        expected = predict_task(models[task].estimator, task, evaluate)
        np.testing.assert_allclose(table[column].to_numpy(), expected, rtol=1e-12)

    metrics = built_warehouse.query(
        "select task, metric, value from model_metrics "
        "where split = 'evaluate' and is_published and fold = 1"
    ).set_index(["task", "metric"])["value"]
    rmse = regression_metrics(table["spend_next_horizon"], table["predicted_spend"])["rmse"]
    assert rmse == pytest.approx(metrics[("spend", "rmse")])
    auc = roc_auc(table["purchased_next_horizon"].astype(int), table["p_purchase"])
    assert auc == pytest.approx(metrics[("purchase", "roc_auc")])
