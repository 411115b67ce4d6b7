"""Rolling-origin backtests through the real `dbt build` on the small generated warehouse, and a
rerun of the prediction models on a copy whose outcomes repeat each customer's last window
exactly, where the last_window baseline must win and be published with a warning."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest
from helpers import Warehouse

pytestmark = pytest.mark.integration


def test_every_model_is_scored_on_three_folds_each_trained_before_its_cutoff(
    built_warehouse: Warehouse,
):
    cutoffs = built_warehouse.query("select cutoff_role, as_of_date from int_feature_cutoffs")
    dates = sorted(pd.to_datetime(cutoffs["as_of_date"]), reverse=True)  # T, T-H, T-2H, ...
    metrics = built_warehouse.query(
        "select * from model_metrics where split = 'evaluate' and fold is not null"
    )
    assert sorted(metrics["fold"].unique()) == [1, 2, 3]
    for fold, cutoff in metrics.groupby("fold")["cutoff_date"]:
        assert set(pd.to_datetime(cutoff)) == {dates[fold]}
    per_model = metrics.groupby(["task", "model_name"])["fold"].nunique()
    assert set(per_model) == {3}
    # Fold 1's saved models learned from cutoffs before its evaluation cutoff only.
    evals = built_warehouse.query("select * from model_registry where fit_role = 'evaluation'")
    labelled = evals[evals["label_window_end"].notna()]
    assert (pd.to_datetime(labelled["label_window_end"]) <= dates[1]).all()
    # The summary is the mean over the folds.
    summary = built_warehouse.query("select * from model_backtest_summary")
    rmse = metrics[metrics["metric"] == "rmse"].groupby("model_name")["value"].mean()
    got = summary[summary["metric"] == "rmse"].set_index("model_name")["mean_value"]
    pd.testing.assert_series_equal(got.sort_index(), rmse.sort_index(), check_names=False)
    assert (summary.loc[summary["metric"] == "rmse", "folds"] == 3).all()


def test_published_model_follows_the_one_standard_error_rule(built_warehouse: Warehouse):
    summary = built_warehouse.query(
        "select * from model_backtest_summary where is_selection_metric and split = 'evaluate'"
    )
    for task, rows in summary.groupby("task"):
        rows = rows.set_index("model_name")
        sign = 1 if rows["higher_is_better"].iloc[0] else -1
        best = (sign * rows["mean_value"]).idxmax()
        published = rows.index[rows["is_published"]].item()
        gap = sign * (rows.at[best, "mean_value"] - rows.at[published, "mean_value"])
        assert gap <= rows.at[best, "standard_error"], task
    calibration = built_warehouse.query("select * from model_calibration")
    assert set(calibration["probability"]) == {"raw", "calibrated"}
    assert calibration.groupby("probability")["customers"].sum().nunique() == 1


@pytest.fixture(scope="module")
def repeating_warehouse(built_warehouse: Warehouse, tmp_path_factory) -> Warehouse:
    """A copy of the built warehouse whose outcomes are each customer's last window repeated,
    with the prediction models and everything after them rebuilt."""
    root = tmp_path_factory.mktemp("repeating")
    db_path = root / "build.duckdb"
    shutil.copy(built_warehouse.db_path, db_path)
    env = {
        **built_warehouse.env,
        "CA_WAREHOUSE_PATH": str(db_path),
        "CA_ARTIFACTS_DIR": str(root / "artifacts"),
    }
    copy = dataclasses.replace(
        built_warehouse, root=root, db_path=db_path, artifacts_dir=root / "artifacts", env=env
    )
    import duckdb

    with duckdb.connect(str(db_path)) as con:
        con.execute(
            "create or replace table customer_label_snapshots as "
            "select l.customer_id, l.as_of_date, l.cutoff_role, l.horizon_days, "
            "l.horizon_end_date, l.is_horizon_complete, "
            "w.orders_last_horizon as orders_next_horizon, "
            # The baseline's prediction: the last window's spend, floored at 0 as every model's.
            "greatest(w.spend_last_horizon, 0) as spend_next_horizon, "
            "w.orders_last_horizon > 0 as purchased_next_horizon "
            "from customer_label_snapshots as l inner join prediction_last_window as w "
            "on l.as_of_date = w.as_of_date and l.customer_id = w.customer_id"
        )
    copy.dbt("build", "--select", "model_registry+")
    return copy


def test_a_baseline_that_wins_the_backtests_is_published_and_warned_about(
    repeating_warehouse: Warehouse,
):
    published = repeating_warehouse.query(
        "select task, model_name, model_kind, mean_value from model_backtest_summary "
        "where is_published and is_selection_metric"
    ).set_index("task")
    assert published.at["spend", "model_name"] == "last_window"
    assert published.at["spend", "mean_value"] == 0.0
    assert published.at["purchase", "model_kind"] == "baseline"
    warnings = repeating_warehouse.query(
        "select * from run_warnings where warning_code = 'baseline_published'"
    )
    assert len(warnings) == 2
    spend = warnings[warnings["message"].str.contains("published spend model")]
    assert (
        spend["message"]
        .item()
        .startswith(
            "the published spend model is the baseline last_window: its mean rmse over 3 backtest"
        )
    )
    predictions = repeating_warehouse.query(
        "select distinct spend_model_name from customer_predictions"
    )
    assert predictions["spend_model_name"].tolist() == ["last_window"]
