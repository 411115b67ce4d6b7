"""The derived features for logs without attributes: MBG/NBD's outputs, the customer's own
purchase cadence, and the Poisson-loss blend that reads them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.clv import ModifiedBetaGeoModel, btyd_inputs, simulate_mbgnbd
from models_py.prediction.derived_features import (
    CADENCE_FEATURES,
    MBGNBD_FEATURES,
    CadenceFeatures,
    MbgnbdFeatures,
)
from models_py.prediction.models import BtydBlend
from models_py.prediction.registry import BuildContext, candidate_names, make_model
from models_py.settings import PredictionSettings

H = 90
CUTOFF = pd.Timestamp("2025-06-30")


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    n = 800
    sim = simulate_mbgnbd(n, T=np.random.default_rng(4).integers(30, 700, n), r=0.3,
                          alpha=20.0, a=0.8, b=2.5, holdout=H, random_state=4)  # fmt: skip
    first = CUTOFF - pd.to_timedelta(sim["T"].round(), unit="D")
    rng = np.random.default_rng(5)
    aov = rng.gamma(3.0, 400.0, n)
    return pd.DataFrame(
        {
            "as_of_date": CUTOFF,
            "first_order_date": first,
            "last_order_date": first + pd.to_timedelta(sim["t_x"].round(), unit="D"),
            "frequency": sim["x"] + 1,
            "aov": aov,
            "spend_next_horizon": sim["x_holdout"] * aov - (rng.random(n) < 0.02) * 50.0,
            "purchased_next_horizon": sim["x_holdout"] > 0,
        }
    )


def test_mbgnbd_features_are_the_fitted_models_outputs(train):
    step = MbgnbdFeatures(horizon_days=H)
    assert step.fit(train) is step
    out = step.transform(train)
    d = btyd_inputs(train)
    alone = ModifiedBetaGeoModel().fit(d["x"], d["t_x"], d["T"])
    assert step.mbgnbd_.params_ == pytest.approx(alone.params_, rel=1e-9)
    np.testing.assert_allclose(
        out["mbgnbd_expected_orders"], alone.expected_purchases(H, d["x"], d["t_x"], d["T"])
    )
    np.testing.assert_allclose(
        out["mbgnbd_p_alive"], alone.probability_alive(d["x"], d["t_x"], d["T"])
    )
    assert list(out.columns) == [*train.columns, *MBGNBD_FEATURES]
    with pytest.raises(RuntimeError, match="not fitted"):
        MbgnbdFeatures().transform(train)


def test_cadence_is_the_mean_gap_and_how_overdue_the_customer_is():
    frame = pd.DataFrame(
        {
            "as_of_date": pd.Timestamp("2025-06-30"),
            "first_order_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-06-01"]),
            "last_order_date": pd.to_datetime(["2025-03-02", "2025-06-30", "2025-06-01"]),
            "frequency": [4, 2, 1],
            "aov": [10.0, 10.0, 10.0],
        }
    )
    out = CadenceFeatures().fit(frame).transform(frame)
    # 60 days over 3 gaps: every 20 days, 120 days since the last order = 6 gaps overdue.
    assert out.loc[0, "mean_gap_days"] == pytest.approx(20.0)
    assert out.loc[0, "recency_over_gap"] == pytest.approx(6.0)
    assert out.loc[1, "recency_over_gap"] == pytest.approx(0.0)
    assert out.loc[2, list(CADENCE_FEATURES)].isna().all()  # one order: no cadence yet
    with pytest.raises(KeyError, match="frequency"):
        CadenceFeatures().fit(frame.drop(columns="frequency"))


CONTEXT = BuildContext(
    numeric=["frequency", "aov"],
    categorical=[],
    last_window_spend="spend_last_horizon",
    last_window_orders="orders_last_horizon",
    settings=PredictionSettings(horizon_days=H, hgb_max_iter=20),
)


@pytest.mark.parametrize("task", ["spend", "purchase"])
def test_poisson_blend_fits_on_net_refunds_and_is_off_by_default(train, task):
    target = {"spend": "spend_next_horizon", "purchase": "purchased_next_horizon"}[task]
    model = make_model("btyd_poisson_blend", task, CONTEXT)
    assert model.fit(train, train[target]) is model
    assert isinstance(model[-1], BtydBlend)
    used = set(model.named_steps["features"].get_feature_names_out())
    assert {*MBGNBD_FEATURES, *CADENCE_FEATURES} <= used
    if task == "spend":
        inner = model[-1].estimator_.regressor_
        assert inner.loss == "poisson"
        predicted = model.predict(train)
        assert (predicted >= 0).all()
        # A log-link mean: the fitted rows' total spend is matched closely.
        assert predicted.sum() == pytest.approx(np.clip(train[target], 0, None).sum(), rel=0.15)
    else:
        assert model.predict_proba(train)[:, 1].min() >= 0
    assert "btyd_poisson_blend" not in candidate_names()
    assert "btyd_poisson_blend" in candidate_names(every=True)
