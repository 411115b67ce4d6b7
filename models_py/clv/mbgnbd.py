"""MBG/NBD: BG/NBD where a customer may also drop out right after the first purchase (Batislam,
Denizel & Filiztekin 2007, "Empirical validation and comparison of models for customer base
analysis", International Journal of Research in Marketing 24(3)).

BG/NBD counts every customer without a repeat purchase as alive for sure; in a log where half the
customers bought once and never came back, that over-predicts them. MBG/NBD lets the dropout
coin be tossed after every purchase, the first included, so P(alive) falls with time since the
first purchase even at x = 0. Inputs as BG/NBD's: ``x`` repeat purchases, ``t_x`` time of the
last purchase and ``T`` the customer's age, both from the first purchase (days here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, hyp2f1

from models_py.clv.base import MaximumLikelihoodModel, as_float
from models_py.clv.bgnbd import check_inputs, simulate_story

__all__ = ["ModifiedBetaGeoModel", "mbgnbd_log_likelihood", "simulate_mbgnbd"]


def _log_odds_dead(params: np.ndarray, x, t_x, T) -> np.ndarray:
    """log P(dropped after the last purchase) - log P(alive at T), given the history."""
    r, alpha, a, b = params
    return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def mbgnbd_log_likelihood(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer MBG/NBD log-likelihood: alive after x + 1 dropout chances and no purchase
    in (t_x, T], or dropped right after the purchase at t_x."""
    r, alpha, a, b = params
    rate = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    survive = betaln(a, b + x + 1) - betaln(a, b)
    alive_at_T = -(r + x) * np.log(alpha + T)
    return rate + survive + alive_at_T + np.logaddexp(0.0, _log_odds_dead(params, x, t_x, T))


@dataclass
class ModifiedBetaGeoModel(MaximumLikelihoodModel):
    """MBG/NBD model of repeat purchases, fitted by maximum likelihood.

    Parameters: ``penalizer`` adds ``penalizer * sum(params**2)`` to the mean negative
    log-likelihood (0 = pure MLE); ``max_iter`` bounds the optimizer.
    Learned: ``params_`` (dict r, alpha, a, b), ``log_likelihood_``, ``n_customers_``,
    ``converged_``.
    """

    penalizer: float = 0.0
    max_iter: int = 2000

    def fit(self, x, t_x, T) -> ModifiedBetaGeoModel:
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        check_inputs(x, t_x, T)
        # Identical (x, t_x, T) share a likelihood term: fit on the distinct triples, weighted.
        grouped = (
            pd.DataFrame({"x": x, "t_x": t_x, "T": T})
            .groupby(["x", "t_x", "T"], sort=False)
            .size()
            .reset_index(name="w")
        )
        gx, gtx, gT, w = (grouped[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "w"))
        scale = max(float(np.mean(T)), 1.0)  # rescale time so alpha starts near 1
        gtx_s, gT_s = gtx / scale, gT / scale

        def objective(log_params: np.ndarray) -> float:
            params = np.exp(log_params)
            ll = mbgnbd_log_likelihood(params, gx, gtx_s, gT_s)
            value = -np.sum(w * ll) / w.sum() + self.penalizer * np.sum(params**2)
            return float(value) if np.isfinite(value) else 1e100

        r, alpha, a, b = np.exp(self._fit_log_params(objective, 4))
        self.params_ = {"r": float(r), "alpha": float(alpha * scale), "a": float(a), "b": float(b)}
        self.n_customers_ = len(x)
        self.log_likelihood_ = float(np.sum(mbgnbd_log_likelihood(self._params(), x, t_x, T)))
        return self

    def _params(self) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise RuntimeError("ModifiedBetaGeoModel is not fitted yet; call fit first")
        p = self.params_
        return np.array([p["r"], p["alpha"], p["a"], p["b"]])

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        """P(customer still active at T | x, t_x, T), for every x (x = 0 included)."""
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        with np.errstate(over="ignore"):
            log_odds = _log_odds_dead(self._params(), x, t_x, T)
        return 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700)))

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T] (Batislam et al. 2007, eq. 9)."""
        r, alpha, a, b = self._params()
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        t = float(t)
        p_alive = self.probability_alive(x, t_x, T)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            hyp = hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T + t))
            term = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
            out = (a + b + x) / (a - 1) * term * p_alive
        # Where hyp2f1 loses precision (very large r + x): alive x posterior mean rate x t.
        fallback = p_alive * (r + x) / (alpha + T) * t
        return np.where(np.isfinite(out) & (out >= 0), out, fallback)

    def probability_purchase(self, t, x, t_x, T) -> np.ndarray:
        """P(at least one purchase in (T, T + t] | x, t_x, T): alive, and the first purchase
        (at a rate with posterior Gamma(r + x, alpha + T)) within t."""
        r, alpha, _, _ = self._params()
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        p_none_if_alive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + float(t))))
        return self.probability_alive(x, t_x, T) * (1.0 - p_none_if_alive)


def simulate_mbgnbd(
    n_customers: int,
    T: float | np.ndarray,
    r: float,
    alpha: float,
    a: float,
    b: float,
    holdout: float = 0.0,
    random_state: int = 0,
) -> pd.DataFrame:
    """Simulate (x, t_x, T, x_holdout) from the MBG/NBD story, for tests: as
    ``simulate_bgnbd``, but the dropout chance applies after the first purchase too."""
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    return simulate_story(n_customers, T, params, holdout, random_state, dropout_at_first=True)
