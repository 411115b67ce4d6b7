"""BG/NBD: repeat purchases and the probability a customer is still alive (Fader, Hardie & Lee
2005, "Counting your customers the easy way: an alternative to the Pareto/NBD model", Marketing
Science 24(2)).

Inputs per customer (any one time unit; this project uses days): ``x`` repeat purchases up to
the cutoff, ``t_x`` the time of the last purchase and ``T`` the customer's age at the cutoff,
both measured from the first purchase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, hyp2f1

from models_py.clv.base import EPS, MaximumLikelihoodModel, as_float

__all__ = [
    "BetaGeoModel",
    "RepeatPurchaseModel",
    "bgnbd_log_likelihood",
    "check_inputs",
    "simulate_bgnbd",
    "simulate_story",
]


def check_inputs(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if not (len(x) == len(t_x) == len(T)):
        raise ValueError("x, t_x and T must have the same length")
    if len(x) == 0:
        raise ValueError("BG/NBD needs at least one customer")
    for name, arr in (("x", x), ("t_x", t_x), ("T", T)):
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} must be finite and >= 0; row {row} has {arr[row]!r}")
    bad = t_x > T + 1e-9
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"t_x must be <= T; row {row} has t_x={t_x[row]}, T={T[row]}")
    bad = (x == 0) & (t_x > 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"t_x must be 0 when x is 0; row {row} has t_x={t_x[row]}")


def bgnbd_log_likelihood(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6)."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(np.maximum(b + x - 1, EPS)) - (r + x) * np.log(alpha + t_x)
    a4 = np.where(x > 0, a4, -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


@dataclass
class RepeatPurchaseModel(MaximumLikelihoodModel):
    """Base of the four-parameter (r, alpha, a, b) repeat-purchase models fitted on (x, t_x,
    T) by maximum likelihood; subclasses give the per-customer
    ``log_likelihood(params, x, t_x, T)``.

    Parameters: ``penalizer`` adds ``penalizer * sum(params**2)`` to the mean negative
    log-likelihood (0 = pure MLE); ``max_iter`` bounds the optimizer.
    Learned: ``params_`` (dict r, alpha, a, b), ``log_likelihood_``, ``n_customers_``,
    ``converged_``.
    """

    penalizer: float = 0.0
    max_iter: int = 2000

    @staticmethod
    def log_likelihood(params: np.ndarray, x, t_x, T) -> np.ndarray:
        raise NotImplementedError

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        raise NotImplementedError

    def fit(self, x, t_x, T) -> RepeatPurchaseModel:
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        check_inputs(x, t_x, T)
        # Customers with identical (x, t_x, T) share a likelihood term: fit on the distinct
        # triples with weights, which keeps the fit fast on millions of customers.
        triples = pd.DataFrame({"x": x, "t_x": t_x, "T": T})
        grouped = triples.groupby(["x", "t_x", "T"], sort=False).size().reset_index(name="w")
        gx, gtx, gT, w = (grouped[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "w"))
        scale = max(float(np.mean(T)), 1.0)  # rescale time so alpha starts near 1
        gtx_s, gT_s = gtx / scale, gT / scale

        def objective(log_params: np.ndarray) -> float:
            params = np.exp(log_params)
            ll = self.log_likelihood(params, gx, gtx_s, gT_s)
            value = -np.sum(w * ll) / w.sum() + self.penalizer * np.sum(params**2)
            return float(value) if np.isfinite(value) else 1e100

        r, alpha, a, b = np.exp(self._fit_log_params(objective, 4))
        self.params_ = {"r": float(r), "alpha": float(alpha * scale), "a": float(a), "b": float(b)}
        self.n_customers_ = len(x)
        self.log_likelihood_ = float(np.sum(self.log_likelihood(self._params(), x, t_x, T)))
        return self

    def _params(self) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit first")
        p = self.params_
        return np.array([p["r"], p["alpha"], p["a"], p["b"]])

    def probability_purchase(self, t, x, t_x, T) -> np.ndarray:
        """P(at least one purchase in (T, T + t] | x, t_x, T).

        Given the customer is alive (``probability_alive``, the model's own), the posterior of
        the purchase rate is Gamma(r + x, alpha + T), so
        P(no purchase in t | alive) = ((alpha + T) / (alpha + T + t)) ** (r + x).
        """
        r, alpha, _, _ = self._params()
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        p_alive = self.probability_alive(x, t_x, T)
        p_none_if_alive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + float(t))))
        return p_alive * (1.0 - p_none_if_alive)


@dataclass
class BetaGeoModel(RepeatPurchaseModel):
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005); see RepeatPurchaseModel."""

    log_likelihood = staticmethod(bgnbd_log_likelihood)

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        """P(customer still active at T | x, t_x, T) (FHL 2005, eq. 11)."""
        r, alpha, a, b = self._params()
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            log_odds_dead = np.log(a) - np.log(np.maximum(b + x - 1, EPS)) + log_ratio
        p = 1.0 / (1.0 + np.exp(np.minimum(log_odds_dead, 700)))
        return np.where(x > 0, p, 1.0)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
        r, alpha, a, b = self._params()
        x, t_x, T = as_float(x), as_float(t_x), as_float(T)
        t = float(t)
        z = t / (alpha + T + t)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
            term = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
            numerator = (a + b + x - 1) / (a - 1) * term
        # hyp2f1 can lose precision for very large r + x; fall back to a bounded approximation
        # (the alive probability times the posterior mean rate times t) where it is not finite.
        fallback = self.probability_alive(x, t_x, T) * (r + x) / (alpha + T) * t
        numerator = np.where(np.isfinite(numerator) & (numerator >= 0), numerator, np.nan)
        p_alive = self.probability_alive(x, t_x, T)
        out = numerator * p_alive
        return np.where(np.isfinite(out), out, fallback)


def simulate_bgnbd(
    n_customers: int,
    T: float | np.ndarray,
    r: float,
    alpha: float,
    a: float,
    b: float,
    holdout: float = 0.0,
    random_state: int = 0,
) -> pd.DataFrame:
    """Simulate (x, t_x, T) from the BG/NBD generative story, for tests.

    Each customer draws lambda ~ Gamma(r, rate alpha) and p ~ Beta(a, b), purchases first at
    time 0, then as a Poisson process with rate lambda; after each repeat purchase drops out with
    probability p. Returns repeat purchases x and last purchase time t_x observed in (0, T], and
    ``x_holdout``, the purchases in (T, T + holdout].
    """
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    return simulate_story(n_customers, T, params, holdout, random_state, dropout_at_first=False)


def simulate_story(
    n_customers: int,
    T: float | np.ndarray,
    params: dict[str, float],
    holdout: float,
    random_state: int,
    dropout_at_first: bool,
) -> pd.DataFrame:
    """BG/NBD's story (``simulate_bgnbd``); ``dropout_at_first``: the dropout chance applies
    after the first purchase too (MBG/NBD's)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    rng = np.random.default_rng(random_state)
    T_arr = np.broadcast_to(np.asarray(T, dtype=float), (n_customers,)).copy()
    lam = rng.gamma(shape=r, scale=1.0 / alpha, size=n_customers)
    p = rng.beta(a, b, size=n_customers)
    x = np.zeros(n_customers)
    t_x = np.zeros(n_customers)
    x_holdout = np.zeros(n_customers)
    now = np.zeros(n_customers)
    active = np.ones(n_customers, dtype=bool)
    if dropout_at_first:
        active &= rng.random(n_customers) >= p
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-300))
        in_calibration = now[idx] <= T_arr[idx]
        in_holdout = ~in_calibration & (now[idx] <= T_arr[idx] + holdout)
        bought = idx[in_calibration]
        x[bought] += 1
        t_x[bought] = now[bought]
        x_holdout[idx[in_holdout]] += 1
        purchased = idx[in_calibration | in_holdout]
        drops = rng.random(len(purchased)) < p[purchased]
        active[idx[~(in_calibration | in_holdout)]] = False
        active[purchased[drops]] = False
    return pd.DataFrame({"x": x, "t_x": t_x, "T": T_arr, "x_holdout": x_holdout})
