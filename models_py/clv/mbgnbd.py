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

from models_py.clv.base import as_float
from models_py.clv.bgnbd import RepeatPurchaseModel, simulate_story

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
class ModifiedBetaGeoModel(RepeatPurchaseModel):
    """MBG/NBD model of repeat purchases (Batislam, Denizel & Filiztekin 2007): a customer may
    also drop out right after the first purchase; see RepeatPurchaseModel."""

    log_likelihood = staticmethod(mbgnbd_log_likelihood)

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
