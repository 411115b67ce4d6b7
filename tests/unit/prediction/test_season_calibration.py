"""The season calibration inside train_and_evaluate, on a seeded log with a strong yearly cycle.

Customers order at a steady personal rate times a yearly cycle peaking in July, so the window
predicted from the end of December (January to March) is the trough and BG/NBD, which assumes
steady rates, over-predicts it; a year earlier it over-predicted the same weeks by as much.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.prediction.calibration import ScaledRegressor
from models_py.prediction.models import predict_task
from models_py.prediction.snapshots import snapshot_frames
from models_py.prediction.training import train_and_evaluate
from models_py.settings import PredictionSettings

H = 91
END = pd.Timestamp("2024-12-31")
ROLES = ["score", "evaluate", "train", *(f"back_{i}" for i in range(3, 9))]
FEATURES = ["recency_days", "frequency", "monetary", "aov", "spend_last_horizon"]


def seasonal_orders(customers: int, years: float, seed: int = 5) -> pd.DataFrame:
    """Orders up to END + H: a gamma-distributed rate per customer times 1 + 0.8 cos(season),
    drawn by thinning a Poisson process at the peak rate."""
    rng = np.random.default_rng(seed)
    start = END - pd.Timedelta(days=int(365.25 * years))
    span = (END - start).days + H
    rate = rng.gamma(2.0, 1 / 60, customers)
    counts = rng.poisson(rate * 1.8 * span)
    customer = np.repeat(np.arange(customers), counts)
    dates = start + pd.to_timedelta(rng.integers(1, span + 1, counts.sum()), unit="D")
    cycle = 1 + 0.8 * np.cos(2 * np.pi * (dates.day_of_year.to_numpy() - 182) / 365.25)
    keep = rng.uniform(size=len(dates)) < cycle / 1.8
    return pd.DataFrame(
        {
            "customer_id": [f"C{c:05d}" for c in customer[keep]],
            "order_date": dates[keep],
            "amount": rng.gamma(3.0, 100.0, int(keep.sum())),
        }
    )


def snapshot(orders: pd.DataFrame, cutoff: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    seen = orders[orders["order_date"] <= cutoff]
    g = seen.groupby("customer_id")
    feats = pd.DataFrame(
        {
            "first_order_date": g["order_date"].min(),
            "last_order_date": g["order_date"].max(),
            "frequency": g.size(),
            "monetary": g["amount"].sum(),
        }
    )
    feats["aov"] = feats["monetary"] / feats["frequency"]
    feats["recency_days"] = (cutoff - feats["last_order_date"]).dt.days
    recent = seen[seen["order_date"] > cutoff - pd.Timedelta(days=H)].groupby("customer_id")
    feats["spend_last_horizon"] = recent["amount"].sum()
    feats["orders_last_horizon"] = recent.size()
    feats = feats.fillna({"spend_last_horizon": 0.0, "orders_last_horizon": 0}).reset_index()
    feats["as_of_date"] = cutoff
    after = orders[
        (orders["order_date"] > cutoff) & (orders["order_date"] <= cutoff + pd.Timedelta(days=H))
    ]
    window = after.groupby("customer_id")
    labels = pd.DataFrame({"customer_id": feats["customer_id"], "as_of_date": cutoff})
    labels["orders_next_horizon"] = labels["customer_id"].map(window.size()).fillna(0).astype(int)
    labels["spend_next_horizon"] = labels["customer_id"].map(window["amount"].sum()).fillna(0.0)
    labels["purchased_next_horizon"] = labels["orders_next_horizon"] > 0
    labels["horizon_days"] = H
    return feats, labels


def frames_for(orders: pd.DataFrame, depth: int) -> tuple[dict, pd.DataFrame]:
    """The snapshot frames of cutoffs 0..depth horizons before END, and the labels at END."""
    cutoffs = {role: END - pd.Timedelta(days=i * H) for i, role in enumerate(ROLES[: depth + 1])}
    parts = [snapshot(orders, cut) for cut in cutoffs.values()]
    feats = pd.concat([f for f, _ in parts], ignore_index=True)
    labels = pd.concat([lab for _, lab in parts[1:]], ignore_index=True)
    return snapshot_frames(feats, labels, cutoffs), parts[0][1]


def settings(**kw) -> PredictionSettings:
    base = {"season_calibration": 1} | kw
    return PredictionSettings(
        horizon_days=H,
        features=FEATURES,
        candidates=("linear_model",),
        min_train_customers=100,
        **base,
    )


def final_spend(result):
    return next(m for m in result.models if m.fit_role == "final" and m.task == "spend")


def facts(result) -> dict[str, float]:
    final = result.metrics[result.metrics["split"] == "final"]
    return dict(zip(final["metric"], final["value"], strict=True))


@pytest.fixture(scope="module")
def three_years():
    return frames_for(seasonal_orders(800, years=3.5), depth=8)


def test_the_trough_is_scaled_by_last_years_trough_and_its_total_comes_closer(three_years):
    frames, actual = three_years
    result = train_and_evaluate(frames, settings())
    run = facts(result)
    assert run["season_scale_applied"] == 1.0 and run["season_folds"] == 3
    model = final_spend(result)
    assert isinstance(model.estimator, ScaledRegressor)
    assert (
        model.estimator.scale == pytest.approx(run["season_scale"]) and model.estimator.scale < 0.8
    )
    scaled = predict_task(model.estimator, "spend", frames["score"]).sum()
    raw = predict_task(model.estimator.estimator, "spend", frames["score"]).sum()
    truth = actual["spend_next_horizon"].sum()
    assert abs(scaled / truth - 1) < abs(raw / truth - 1)


def test_the_season_calibration_can_be_turned_off(three_years):
    frames, _ = three_years
    result = train_and_evaluate(frames, settings(season_calibration=0))
    assert not any(metric.startswith("season") for metric in result.metrics["metric"])
    assert (
        not isinstance(final_spend(result).estimator, ScaledRegressor)
        or facts(result)["totals_scale_applied"] == 1.0
    )


def test_one_year_of_history_says_it_cannot_see_the_season():
    frames, _ = frames_for(seasonal_orders(800, years=1.1), depth=4)
    result = train_and_evaluate(frames, settings())
    assert facts(result)["season_scale_applied"] == 0.0
    assert any(
        m.startswith("season calibration not possible") and "days of order history before it" in m
        for m in result.messages
    )
