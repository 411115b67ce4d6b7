"""Buy-till-you-die baselines: BG/NBD (purchase counts) and Gamma-Gamma (spend per order).

Implements the published likelihoods with scipy.optimize, as scikit-learn style estimators:

- BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
  the Pareto/NBD model", Marketing Science 24(2).
- Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value".

Inputs per customer (any one time unit; this project uses days):

- ``x``   repeat purchases (orders after the first one) up to the cutoff,
- ``t_x`` time of the last purchase, measured from the first purchase,
- ``T``   age of the customer at the cutoff, measured from the first purchase.

``btyd_inputs`` derives them from a customer feature snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "btyd_inputs",
    "simulate_bgnbd",
]

_EPS = 1e-12


# Log-parameters stay in [-12, 12] (parameters in about [6e-6, 1.6e5]): beyond that, the
# differences of log-gamma/log-beta terms lose all precision and the "likelihood" can grow
# without bound along a spurious ridge (seen with a, b -> 1e130).
LOG_BOUND = 12.0


def _minimize(objective, start: np.ndarray, max_iter: int):
    """Minimise over bounded log-parameters: L-BFGS-B (numerical gradient); if it does not
    converge, Nelder-Mead from where it stopped, then L-BFGS-B again to polish."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    options = {"maxiter": max_iter}
    result = minimize(objective, start, method="L-BFGS-B", bounds=bounds, options=options)
    if not result.success:
        result = minimize(
            objective,
            result.x,
            method="Nelder-Mead",
            bounds=bounds,
            options={"maxiter": max_iter, "xatol": 1e-7, "fatol": 1e-10},
        )
        result = minimize(objective, result.x, method="L-BFGS-B", bounds=bounds, options=options)
    return result


def _as_float(values) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1)


def _check_inputs(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
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
        a4 = np.log(a) - np.log(np.maximum(b + x - 1, _EPS)) - (r + x) * np.log(alpha + t_x)
    a4 = np.where(x > 0, a4, -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


@dataclass
class BetaGeoModel:
    """BG/NBD model of repeat purchases, fitted by maximum likelihood.

    Parameters: ``penalizer`` adds ``penalizer * sum(params**2)`` to the mean negative
    log-likelihood (0 = pure MLE); ``max_iter`` bounds the optimizer.
    Learned: ``params_`` (dict r, alpha, a, b), ``log_likelihood_``, ``n_customers_``,
    ``converged_``.
    """

    penalizer: float = 0.0
    max_iter: int = 2000

    def fit(self, x, t_x, T) -> BetaGeoModel:
        x, t_x, T = _as_float(x), _as_float(t_x), _as_float(T)
        _check_inputs(x, t_x, T)
        # Customers with identical (x, t_x, T) share a likelihood term: fit on the distinct
        # triples with weights, which keeps the fit fast on millions of customers.
        triples = pd.DataFrame({"x": x, "t_x": t_x, "T": T})
        grouped = triples.groupby(["x", "t_x", "T"], sort=False).size().reset_index(name="w")
        gx, gtx, gT, w = (grouped[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "w"))
        scale = max(float(np.mean(T)), 1.0)  # rescale time so alpha starts near 1
        gtx_s, gT_s = gtx / scale, gT / scale

        def objective(log_params: np.ndarray) -> float:
            params = np.exp(log_params)
            ll = bgnbd_log_likelihood(params, gx, gtx_s, gT_s)
            value = -np.sum(w * ll) / w.sum() + self.penalizer * np.sum(params**2)
            return float(value) if np.isfinite(value) else 1e100

        result = _minimize(objective, np.zeros(4), self.max_iter)
        r, alpha, a, b = np.exp(result.x)
        self.params_ = {"r": float(r), "alpha": float(alpha * scale), "a": float(a), "b": float(b)}
        self.converged_ = bool(result.success)
        self.n_customers_ = len(x)
        self.log_likelihood_ = float(np.sum(bgnbd_log_likelihood(self._params(), x, t_x, T)))
        return self

    def _params(self) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise RuntimeError("BetaGeoModel is not fitted yet; call fit first")
        p = self.params_
        return np.array([p["r"], p["alpha"], p["a"], p["b"]])

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        """P(customer still active at T | x, t_x, T) (FHL 2005, eq. 11)."""
        r, alpha, a, b = self._params()
        x, t_x, T = _as_float(x), _as_float(t_x), _as_float(T)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            log_odds_dead = np.log(a) - np.log(np.maximum(b + x - 1, _EPS)) + log_ratio
        p = 1.0 / (1.0 + np.exp(np.minimum(log_odds_dead, 700)))
        return np.where(x > 0, p, 1.0)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
        r, alpha, a, b = self._params()
        x, t_x, T = _as_float(x), _as_float(t_x), _as_float(T)
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

    def probability_purchase(self, t, x, t_x, T) -> np.ndarray:
        """P(at least one purchase in (T, T + t] | x, t_x, T).

        Given the customer is alive, the posterior of the purchase rate is Gamma(r + x, alpha + T),
        so P(no purchase in t | alive) = ((alpha + T) / (alpha + T + t)) ** (r + x).
        """
        r, alpha, _, _ = self._params()
        x, t_x, T = _as_float(x), _as_float(t_x), _as_float(T)
        p_alive = self.probability_alive(x, t_x, T)
        p_none_if_alive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + float(t))))
        return p_alive * (1.0 - p_none_if_alive)


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean order value m over x orders."""
    p, q, v = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + (p * x) * np.log(x)
        - (p * x + q) * np.log(v + x * m)
    )


@dataclass
class GammaGammaModel:
    """Gamma-Gamma model of the mean order value (Fader & Hardie 2013), fitted by MLE.

    Fit on customers with ``x >= 1`` orders counted and a positive mean order value ``m``.
    Learned: ``params_`` (dict p, q, v), ``n_customers_``, ``converged_``,
    ``mean_order_value_`` (order-weighted mean of m over the fitted customers).
    """

    penalizer: float = 0.0
    max_iter: int = 2000

    def fit(self, x, m) -> GammaGammaModel:
        x, m = _as_float(x), _as_float(m)
        if len(x) != len(m):
            raise ValueError("x and m must have the same length")
        bad = ~np.isfinite(x) | (x < 1) | ~np.isfinite(m) | (m <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"Gamma-Gamma needs x >= 1 and m > 0; row {row} has x={x[row]}, m={m[row]}"
            )
        if len(x) < 2:
            raise ValueError("Gamma-Gamma needs at least two customers with orders")
        scale = float(np.mean(m))  # fit on m / mean(m) for conditioning; v scales back
        ms = m / scale

        def objective(log_params: np.ndarray) -> float:
            params = np.exp(log_params)
            value = -np.mean(gamma_gamma_log_likelihood(params, x, ms)) + self.penalizer * np.sum(
                params**2
            )
            return float(value) if np.isfinite(value) else 1e100

        result = _minimize(objective, np.zeros(3), self.max_iter)
        p, q, v = np.exp(result.x)
        self.params_ = {"p": float(p), "q": float(q), "v": float(v * scale)}
        self.converged_ = bool(result.success)
        self.n_customers_ = len(x)
        self.mean_order_value_ = float(np.sum(x * m) / np.sum(x))
        return self

    def population_mean(self) -> float:
        """E[order value] for a customer with no history: p * v / (q - 1) (needs q > 1)."""
        p = self.params_
        if p["q"] <= 1:
            return float("nan")
        return p["p"] * p["v"] / (p["q"] - 1)

    def expected_order_value(self, x, m) -> np.ndarray:
        """E[order value | x orders with mean m] (FH 2013, eq. 5), never negative.

        x = 0 gives the population mean p v / (q - 1). A missing or non-positive m (orders that
        netted to nothing) counts as m = 0, which shrinks the estimate towards 0 with x. Where the
        formula is undefined (p x + q <= 1, e.g. x = 0 with q <= 1, an infinite-mean population)
        the mean order value of the fitted customers is used instead.
        """
        if not hasattr(self, "params_"):
            raise RuntimeError("GammaGammaModel is not fitted yet; call fit first")
        p, q, v = self.params_["p"], self.params_["q"], self.params_["v"]
        x, m = _as_float(x), _as_float(m)
        x = np.where(np.isfinite(x) & (x > 0), x, 0.0)
        m = np.where(np.isfinite(m) & (m > 0), m, 0.0)
        denominator = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (v + x * m) * p / denominator
        return np.where(denominator > 0, value, self.mean_order_value_)


def btyd_inputs(
    features: pd.DataFrame,
    as_of_col: str = "as_of_date",
    first_col: str = "first_order_date",
    last_col: str = "last_order_date",
    frequency_col: str = "frequency",
    aov_col: str = "aov",
) -> pd.DataFrame:
    """x, t_x, T (days) and mean order value m from a customer feature snapshot.

    x = frequency - 1 (repeat orders), t_x = last - first order date, T = cutoff - first order
    date. Customers without an order by the cutoff get ``has_history = False`` and zeros.
    """
    missing = [
        c
        for c in (as_of_col, first_col, last_col, frequency_col, aov_col)
        if c not in features.columns
    ]
    if missing:
        raise KeyError(f"btyd_inputs: feature snapshot lacks column(s) {missing}")
    as_of = pd.to_datetime(features[as_of_col])
    first = pd.to_datetime(features[first_col])
    last = pd.to_datetime(features[last_col])
    freq = pd.to_numeric(features[frequency_col], errors="coerce").fillna(0).to_numpy(float)
    has_history = first.notna().to_numpy() & (freq >= 1)
    x = np.where(has_history, freq - 1, 0.0)
    t_x = np.where(has_history, (last - first).dt.days.to_numpy(float), 0.0)
    T = np.where(has_history, (as_of - first).dt.days.to_numpy(float), 0.0)
    t_x = np.where(x > 0, np.clip(t_x, 0, None), 0.0)
    T = np.clip(np.maximum(T, t_x), 0, None)
    m = pd.to_numeric(features[aov_col], errors="coerce").to_numpy(float)
    return pd.DataFrame(
        {
            "x": x,
            "t_x": t_x,
            "T": T,
            "m": m,
            "orders": np.where(has_history, freq, 0.0),
            "has_history": has_history,
        },
        index=features.index,
    )


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
    rng = np.random.default_rng(random_state)
    T_arr = np.broadcast_to(np.asarray(T, dtype=float), (n_customers,)).copy()
    lam = rng.gamma(shape=r, scale=1.0 / alpha, size=n_customers)
    p = rng.beta(a, b, size=n_customers)
    x = np.zeros(n_customers)
    t_x = np.zeros(n_customers)
    x_holdout = np.zeros(n_customers)
    now = np.zeros(n_customers)
    active = np.ones(n_customers, dtype=bool)
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
