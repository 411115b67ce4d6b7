"""The derived-feature steps of the candidates: BG/NBD + Gamma-Gamma outputs equal the models'
closed forms, are learned from the rows fitted on only, and the calendar position of the
prediction window; the registry wires them in front of the shared preprocessing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from models_py.clv import BetaGeoModel, simulate_bgnbd
from models_py.prediction.derived_features import (
    BTYD_FEATURES,
    CALENDAR_FEATURES,
    BtydFeatures,
    CalendarFeatures,
)
from models_py.prediction.models import BtydBlend
from models_py.prediction.registry import MODELS, BuildContext, candidate_names, make_model
from models_py.settings import PredictionSettings

H = 90
CUTOFF = pd.Timestamp("2025-06-30")


def snapshot(n: int, seed: int, cutoff: pd.Timestamp = CUTOFF) -> pd.DataFrame:
    """A feature snapshot from the BG/NBD story: first/last order dates, frequency, mean value."""
    sim = simulate_bgnbd(n, T=np.random.default_rng(seed).integers(30, 700, n), r=0.3,
                         alpha=20.0, a=0.8, b=2.5, random_state=seed)  # fmt: skip
    first = cutoff - pd.to_timedelta(sim["T"].round(), unit="D")
    rng = np.random.default_rng(seed + 1)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "as_of_date": cutoff,
            "first_order_date": first,
            "last_order_date": first + pd.to_timedelta(sim["t_x"].round(), unit="D"),
            "frequency": sim["x"] + 1,
            "aov": rng.gamma(3.0, 400.0, n),
            "spend_next_horizon": rng.gamma(1.0, 300.0, n),
        }
    )


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, BtydFeatures]:
    train = snapshot(1500, seed=1)
    return train, BtydFeatures(horizon_days=H).fit(train)


def test_btyd_features_are_the_bgnbd_and_gamma_gamma_closed_forms(fitted):
    train, step = fitted
    out = step.transform(train)
    r, alpha, a, b = (step.btyd_.bgnbd_.params_[k] for k in ("r", "alpha", "a", "b"))
    p, q, v = (step.btyd_.gamma_gamma_.params_[k] for k in ("p", "q", "v"))
    x = train["frequency"].to_numpy(float) - 1
    t_x = (train["last_order_date"] - train["first_order_date"]).dt.days.to_numpy(float)
    T = (train["as_of_date"] - train["first_order_date"]).dt.days.to_numpy(float)
    # Fader, Hardie & Lee (2005), eq. 10 and 11; Fader & Hardie (2013), eq. 5.
    odds_dead = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    p_alive = np.where(x > 0, 1 / (1 + np.where(x > 0, odds_dead, 0)), 1.0)
    z = H / (alpha + T + H)
    conditional = (
        (a + b + x - 1)
        / (a - 1)
        * (1 - ((alpha + T) / (alpha + T + H)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
    )
    order_value = p * (v + (x + 1) * train["aov"].to_numpy()) / (p * (x + 1) + q - 1)
    np.testing.assert_allclose(out["btyd_p_alive"], p_alive, rtol=1e-9)
    np.testing.assert_allclose(out["btyd_expected_orders"], conditional * p_alive, rtol=1e-7)
    np.testing.assert_allclose(out["btyd_expected_order_value"], order_value, rtol=1e-9)
    # P(at least one order in H) = P(alive) x (1 - P(none in H | alive)).
    none_if_alive = ((alpha + T) / (alpha + T + H)) ** (r + x)
    np.testing.assert_allclose(out["btyd_p_purchase"], p_alive * (1 - none_if_alive), rtol=1e-9)
    np.testing.assert_allclose(
        out["btyd_expected_spend"], conditional * p_alive * order_value, rtol=1e-7
    )
    # The snapshot's own columns pass through unchanged, in front of the added ones.
    assert list(out.columns) == [*train.columns, *BTYD_FEATURES]
    pd.testing.assert_frame_equal(out[list(train.columns)], train)


def test_btyd_features_learn_from_the_rows_fitted_on_only(fitted):
    train, step = fitted
    later = snapshot(1500, seed=2, cutoff=CUTOFF + pd.Timedelta(days=H))
    inputs = train.assign(x=train["frequency"] - 1)
    t_x = (train["last_order_date"] - train["first_order_date"]).dt.days
    T = (train["as_of_date"] - train["first_order_date"]).dt.days
    alone = BetaGeoModel().fit(inputs["x"], t_x, T)
    assert step.btyd_.bgnbd_.params_ == pytest.approx(alone.params_, rel=1e-9)
    before = dict(step.btyd_.bgnbd_.params_)
    step.transform(later)  # transforming other rows learns nothing from them
    assert step.btyd_.bgnbd_.params_ == before
    # Fitted on other rows, the same customers get other features: the fit is what informs them.
    other = BtydFeatures(horizon_days=H).fit(later).transform(train)
    assert not np.allclose(
        other["btyd_expected_orders"], step.transform(train)["btyd_expected_orders"]
    )


def test_btyd_features_refuse_to_transform_unfitted():
    with pytest.raises(RuntimeError, match="not fitted"):
        BtydFeatures().transform(snapshot(20, seed=3))


def test_calendar_features_place_the_window_middle_in_the_year():
    frame = pd.DataFrame({"as_of_date": pd.to_datetime(["2026-04-01", "2025-12-16", "2026-12-16"])})
    out = CalendarFeatures(horizon_days=30).fit(frame).transform(frame)
    assert list(out.columns) == ["as_of_date", *CALENDAR_FEATURES]
    # 1 April + 15 days = 16 April, day 106 of 2026.
    angle = 2 * np.pi * 105 / 365.25
    assert out.loc[0, "horizon_mid_doy_sin"] == pytest.approx(np.sin(angle))
    assert out.loc[0, "horizon_mid_doy_cos"] == pytest.approx(np.cos(angle))
    # Windows centred on 31 December and 1 January sit side by side; a year apart, the same.
    assert out.loc[1, "horizon_mid_doy_cos"] == pytest.approx(1.0, abs=1e-3)
    assert out.loc[1, "horizon_mid_doy_sin"] == pytest.approx(
        out.loc[2, "horizon_mid_doy_sin"], abs=0.02
    )
    with pytest.raises(KeyError, match="as_of_date"):
        CalendarFeatures().fit(frame.rename(columns={"as_of_date": "cutoff"}))


CONTEXT = BuildContext(
    numeric=["frequency", "aov"],
    categorical=[],
    last_window_spend="spend_last_horizon",
    last_window_orders="orders_last_horizon",
    settings=PredictionSettings(horizon_days=H, hgb_max_iter=10),
)


def test_registry_puts_the_derived_steps_before_the_preprocessing(fitted):
    train, _ = fitted
    context = CONTEXT
    model = make_model("hist_gradient_boosting_btyd", "spend", context)
    assert [name for name, _ in model.steps[:3]] == [
        "to_object",
        "btyd_features",
        "calendar_features",
    ]
    model.fit(train, train["spend_next_horizon"])
    used = list(model.named_steps["features"].get_feature_names_out())
    assert {"frequency", "aov", *BTYD_FEATURES, *CALENDAR_FEATURES} <= set(used)
    assert np.isfinite(model.predict(train)).all()


@pytest.mark.parametrize("task", ["spend", "purchase"])
def test_btyd_blend_averages_the_supervised_model_and_btyd(fitted, task):
    train = fitted[0].assign(purchased_next_horizon=lambda f: f["spend_next_horizon"] > 300)
    target = {"spend": "spend_next_horizon", "purchase": "purchased_next_horizon"}[task]
    blend = make_model("btyd_blend", task, CONTEXT).fit(train, train[target])
    alone = make_model("hist_gradient_boosting_btyd", task, CONTEXT).fit(train, train[target])
    btyd = MODELS["btyd"].build(task, CONTEXT).fit(train)
    if task == "spend":
        got, supervised, reference = blend.predict(train), alone.predict(train), btyd.predict(train)
        supervised = np.clip(supervised, 0, None)
    else:
        got, supervised, reference = (m.predict_proba(train)[:, 1] for m in (blend, alone, btyd))
    assert isinstance(blend[-1], BtydBlend)
    np.testing.assert_allclose(got, 0.5 * supervised + 0.5 * reference, rtol=1e-9, atol=1e-9)


def test_only_default_candidates_are_fitted_unless_named():
    assert "btyd_blend" in candidate_names()
    assert "hist_gradient_boosting_btyd" not in candidate_names()
    assert "hist_gradient_boosting_btyd" in candidate_names(every=True)
    assert PredictionSettings().candidates == candidate_names()


@pytest.mark.parametrize(
    "change", [{"derived": ("calendar",)}, {"scale": True}, {"derived": ("weather",)}]
)
def test_registry_refuses_a_blend_it_cannot_build(monkeypatch, change):
    """A blend reads BG/NBD's prediction from the unscaled matrix; a derived set must exist."""
    spec = replace(MODELS["btyd_blend"], name="broken_blend", **change)
    monkeypatch.setitem(MODELS, spec.name, spec)
    with pytest.raises(ValueError, match="broken_blend"):
        make_model("broken_blend", "spend", CONTEXT)
