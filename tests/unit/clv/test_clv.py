"""BG/NBD and Gamma-Gamma: parameter recovery from data simulated from the models themselves,
and predictions that match what the simulated customers then do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from models_py.clv import BetaGeoModel, GammaGammaModel, btyd_inputs, simulate_bgnbd
from models_py.prediction.models import BtydBaseline
from models_py.prediction.training import FittedModel, _convergence_messages

TRUE = {"r": 0.6, "alpha": 40.0, "a": 0.8, "b": 2.5}


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    T = rng.uniform(180, 720, size=8000)  # days since first purchase
    return simulate_bgnbd(8000, T, **TRUE, holdout=90, random_state=5)


@pytest.fixture(scope="module")
def fitted(simulated) -> BetaGeoModel:
    return BetaGeoModel().fit(simulated["x"], simulated["t_x"], simulated["T"])


def test_bgnbd_recovers_known_parameters(fitted):
    assert fitted.converged_
    for name, value in TRUE.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.25), name


def test_bgnbd_mle_beats_the_true_parameters_on_likelihood(simulated, fitted):
    true_fit = BetaGeoModel()
    true_fit.params_ = dict(TRUE)
    x, t_x, T = simulated["x"], simulated["t_x"], simulated["T"]
    from models_py.clv import bgnbd_log_likelihood

    ll_true = bgnbd_log_likelihood(
        np.array(list(TRUE.values())), x.to_numpy(), t_x.to_numpy(), T.to_numpy()
    ).sum()
    assert fitted.log_likelihood_ >= ll_true


def test_bgnbd_predictions_match_the_holdout(simulated):
    model = BetaGeoModel()
    model.params_ = dict(TRUE)  # the generating parameters: predictions must be calibrated
    x, t_x, T = simulated["x"], simulated["t_x"], simulated["T"]
    expected = model.expected_purchases(90, x, t_x, T)
    actual = simulated["x_holdout"].to_numpy()
    assert expected.sum() == pytest.approx(actual.sum(), rel=0.06)
    p_buy = model.probability_purchase(90, x, t_x, T)
    assert p_buy.mean() == pytest.approx((actual > 0).mean(), abs=0.015)
    # Calibrated by group too: frequent buyers vs the rest.
    frequent = x.to_numpy() >= 3
    for group in (frequent, ~frequent):
        assert expected[group].sum() == pytest.approx(actual[group].sum(), rel=0.1)


def test_bgnbd_probability_alive_behaves(fitted):
    # No repeat purchase: alive by assumption. Long silence after many purchases: likely gone.
    assert fitted.probability_alive([0], [0], [300])[0] == 1.0
    recent, stale = fitted.probability_alive([5, 5], [295, 50], [300, 300])
    assert 0 < stale < recent <= 1
    more = fitted.expected_purchases(90, [5, 5], [295, 50], [300, 300])
    assert more[0] > more[1] > 0


def test_bgnbd_rejects_impossible_histories():
    with pytest.raises(ValueError, match="row 1"):
        BetaGeoModel().fit([1, 2], [10, 50], [20, 40])  # t_x > T
    with pytest.raises(ValueError, match="x must be finite"):
        BetaGeoModel().fit([1, np.nan], [10, 5], [20, 40])


def test_gamma_gamma_recovers_known_parameters():
    rng = np.random.default_rng(2)
    p, q, v = 6.0, 4.0, 15.0
    n = 6000
    nu = rng.gamma(q, 1 / v, size=n)
    x = 1 + rng.poisson(2.0, size=n)
    m = np.array([rng.gamma(p, 1 / nu[i], size=x[i]).mean() for i in range(n)])
    model = GammaGammaModel().fit(x, m)
    assert model.params_["p"] == pytest.approx(p, rel=0.25)
    assert model.params_["q"] == pytest.approx(q, rel=0.25)
    assert model.params_["v"] == pytest.approx(v, rel=0.3)
    # Conditional expectation shrinks a customer's mean towards the population mean.
    pop = model.population_mean()
    high, low = model.expected_order_value([1, 1], [pop * 3, pop / 3])
    assert pop < high < pop * 3
    assert pop / 3 < low < pop
    assert model.expected_order_value([0], [np.nan])[0] == pytest.approx(pop)
    # Orders that netted to nothing shrink towards 0, never below.
    assert 0 < model.expected_order_value([3], [-20.0])[0] < pop


def test_gamma_gamma_never_negative_for_a_heavy_tailed_population():
    model = GammaGammaModel()
    model.params_ = {"p": 4.0, "q": 0.9, "v": 300.0}  # q < 1: the population mean is infinite
    model.mean_order_value_ = 1234.0
    values = model.expected_order_value([0, 1, 2, 0], [np.nan, 500.0, 0.0, -5.0])
    assert (values >= 0).all()
    assert values[0] == values[3] == 1234.0


def test_btyd_inputs_from_a_snapshot():
    snap = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "as_of_date": pd.to_datetime(["2024-03-31"] * 3),
            "first_order_date": pd.to_datetime(["2024-01-01", "2024-03-01", None]),
            "last_order_date": pd.to_datetime(["2024-03-01", "2024-03-01", None]),
            "frequency": [4, 1, 0],
            "aov": [100.0, 50.0, None],
        }
    )
    d = btyd_inputs(snap)
    assert d["x"].tolist() == [3, 0, 0]
    assert d["t_x"].tolist() == [60, 0, 0]
    assert d["T"].tolist() == [90, 30, 0]
    assert d["has_history"].tolist() == [True, True, False]


def test_a_fit_that_does_not_converge_warns_and_is_recorded(simulated):
    """One optimizer iteration cannot converge: the fit warns, keeps converged_ False, and the
    prediction pipeline turns it into a run message instead of publishing it silently."""
    with pytest.warns(ConvergenceWarning, match="BetaGeoModel did not converge"):
        bgnbd = BetaGeoModel(max_iter=1).fit(simulated["x"], simulated["t_x"], simulated["T"])
    assert not bgnbd.converged_
    spenders = simulated[simulated["x"] >= 1]
    with pytest.warns(ConvergenceWarning, match="GammaGammaModel did not converge"):
        GammaGammaModel(max_iter=1).fit(spenders["x"], np.full(len(spenders), 100.0))
    baseline = BtydBaseline(task="spend")
    baseline.bgnbd_ = bgnbd
    baseline.gamma_gamma_ = GammaGammaModel().fit(spenders["x"], 50.0 + spenders["x"])
    models = [
        FittedModel(
            model_name="btyd",
            task=task,
            kind="baseline",
            fit_role="final",
            estimator=baseline.with_task(task),
            train_cutoff=None,
            label_window_start=None,
            label_window_end=None,
            training_rows=len(simulated),
            threshold=None,
            features=[],
        )
        for task in ("purchase", "spend", "clv")
    ]
    assert _convergence_messages(models) == [
        "BetaGeoModel (final fit) did not converge; its predictions may be off"
    ]


def test_a_fitted_model_saves_and_loads(tmp_path, fitted):
    path = fitted.save(tmp_path / "bgnbd.joblib")
    assert BetaGeoModel.load(path).params_ == fitted.params_
    with pytest.raises(TypeError, match="not a GammaGammaModel"):
        GammaGammaModel.load(path)
