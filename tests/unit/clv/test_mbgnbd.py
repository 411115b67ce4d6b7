"""MBG/NBD: parameter recovery from data simulated from its own story (dropout after every
purchase, the first included), calibrated predictions, and what sets it apart from BG/NBD."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.clv import (
    BetaGeoModel,
    ModifiedBetaGeoModel,
    mbgnbd_log_likelihood,
    simulate_mbgnbd,
)

TRUE = {"r": 0.6, "alpha": 40.0, "a": 0.8, "b": 2.5}


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    T = np.random.default_rng(3).uniform(180, 720, size=8000)
    return simulate_mbgnbd(8000, T, **TRUE, holdout=90, random_state=7)


@pytest.fixture(scope="module")
def fitted(simulated) -> ModifiedBetaGeoModel:
    return ModifiedBetaGeoModel().fit(simulated["x"], simulated["t_x"], simulated["T"])


def test_mbgnbd_fit_returns_itself_with_fitted_attributes(simulated):
    model = ModifiedBetaGeoModel()
    assert model.fit(simulated["x"], simulated["t_x"], simulated["T"]) is model
    assert set(model.params_) == {"r", "alpha", "a", "b"}
    assert model.n_customers_ == len(simulated)
    with pytest.raises(RuntimeError, match="not fitted"):
        ModifiedBetaGeoModel().probability_alive([1], [5], [10])


def test_mbgnbd_recovers_known_parameters(simulated, fitted):
    assert fitted.converged_
    for name, value in TRUE.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.25), name
    ll_true = mbgnbd_log_likelihood(
        np.array(list(TRUE.values())), *(simulated[c].to_numpy() for c in ("x", "t_x", "T"))
    ).sum()
    assert fitted.log_likelihood_ >= ll_true


def test_mbgnbd_predictions_match_the_holdout(simulated):
    model = ModifiedBetaGeoModel()
    model.params_ = dict(TRUE)
    x, t_x, T = simulated["x"], simulated["t_x"], simulated["T"]
    expected = model.expected_purchases(90, x, t_x, T)
    actual = simulated["x_holdout"].to_numpy()
    assert expected.sum() == pytest.approx(actual.sum(), rel=0.06)
    p_buy = model.probability_purchase(90, x, t_x, T)
    assert p_buy.mean() == pytest.approx((actual > 0).mean(), abs=0.015)
    once = x.to_numpy() == 0  # one-time buyers: BG/NBD's blind spot
    assert expected[once].sum() == pytest.approx(actual[once].sum(), rel=0.15)


def test_mbgnbd_one_time_buyers_fade_where_bgnbd_keeps_them(simulated, fitted):
    bgnbd = BetaGeoModel().fit(simulated["x"], simulated["t_x"], simulated["T"])
    young, old = fitted.probability_alive([0, 0], [0, 0], [30, 600])
    assert 0 < old < young < 1
    assert bgnbd.probability_alive([0], [0], [600])[0] == 1.0
    once = simulated[simulated["x"] == 0]
    args = (once["x"], once["t_x"], once["T"])
    actual = once["x_holdout"].sum()
    assert abs(fitted.expected_purchases(90, *args).sum() - actual) < abs(
        bgnbd.expected_purchases(90, *args).sum() - actual
    )


def test_mbgnbd_rejects_impossible_histories():
    with pytest.raises(ValueError, match="row 1"):
        ModifiedBetaGeoModel().fit([1, 2], [10, 50], [20, 40])
