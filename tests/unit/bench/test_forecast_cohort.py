"""The harness's bare-log cohort case: one acquisition cohort, the own-data path accepts the log,
the cut log holds nothing after T, and the true expectations agree with what the process does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from bench.forecast_cohort import CohortLog, cohort_extracts, simulate, true_predictions

END = dt.date(2026, 6, 30)
H = 90
PROCESS = CohortLog(truth_draws=64)


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate(PROCESS, 2000, 5, END, H)


def test_one_cohort_with_dropout_and_skewed_spend(simulated) -> None:
    log, truth = simulated
    start = pd.Timestamp(END) - pd.Timedelta(days=PROCESS.history_days - 1)
    first = log.groupby("customer")["date"].min()
    assert len(first) == 2000 and first.max() < start + pd.Timedelta(days=PROCESS.cohort_days)
    assert log["date"].max() <= pd.Timestamp(END)
    orders = log.groupby("customer").size()
    assert 0.3 < (orders == 1).mean() < 0.7  # many buy once and never return
    assert log["amount"].mean() > 1.3 * log["amount"].median()  # skewed order values
    assert (log["quantity"] >= 1).all()
    assert truth["p_purchase"].between(0, 1).all() and len(truth) == 2000


def test_true_expectations_match_what_happens_after_the_cutoff(simulated) -> None:
    log, truth = simulated
    cutoff = pd.Timestamp(END) - pd.Timedelta(days=H)
    after = log[log["date"] > cutoff]
    spend = after.groupby("customer")["amount"].sum().reindex(range(2000), fill_value=0.0)
    bought = spend.to_numpy() > 0
    orders = after.groupby("customer").size().reindex(range(2000), fill_value=0)
    assert truth["expected_orders"].sum() == pytest.approx(orders.sum(), rel=0.06)
    assert truth["expected_spend"].sum() == pytest.approx(spend.sum(), rel=0.2)  # heavy tail
    assert truth["p_purchase"].mean() == pytest.approx(bought.mean(), abs=0.02)
    # The expectation given the true state beats a constant by far.
    rmse = np.sqrt(np.mean((truth["expected_spend"].to_numpy() - spend.to_numpy()) ** 2))
    assert rmse < 0.8 * np.sqrt(np.mean((spend.to_numpy() - spend.mean()) ** 2))


def test_own_data_path_prepares_the_full_and_the_cut_log(tmp_path: Path) -> None:
    case = SimpleNamespace(customers=400, seed=3, end=END, horizon_days=H)
    case.cutoff = END - dt.timedelta(days=H)
    full, cut, full_vars, cut_vars = cohort_extracts(CohortLog(truth_draws=8), case, tmp_path)
    assert cut_vars["as_of_date"] == str(case.cutoff) and full_vars["as_of_date"] == str(END)
    assert cut_vars["available_data"]["products"] is False
    placed = {
        folder: pd.to_datetime(pq.read_table(folder / "orders.parquet")["order_ts"].to_pandas())
        for folder in (full, cut)
    }
    assert placed[cut].max() <= pd.Timestamp(case.cutoff) + pd.Timedelta(days=1)
    assert len(placed[cut]) < len(placed[full]) and placed[full].max() > placed[cut].max()
    customers = pq.read_table(cut / "orders.parquet")["customer_id"].to_pandas()
    truth = true_predictions(tmp_path, customers)
    assert set(truth["customer_id"]) == set(customers)
    assert set(truth["model"]) == {"true_expectation"}
