"""Gamma-Gamma: the mean order value of a customer, shrunk towards the population's (Fader &
Hardie 2013, "The Gamma-Gamma model of monetary value")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from models_py.clv.base import MaximumLikelihoodModel, as_float

__all__ = ["GammaGammaModel", "gamma_gamma_log_likelihood"]


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
class GammaGammaModel(MaximumLikelihoodModel):
    """Gamma-Gamma model of the mean order value (Fader & Hardie 2013), fitted by MLE.

    Fit on customers with ``x >= 1`` orders counted and a positive mean order value ``m``.
    Learned: ``params_`` (dict p, q, v), ``n_customers_``, ``converged_``,
    ``mean_order_value_`` (order-weighted mean of m over the fitted customers).
    """

    penalizer: float = 0.0
    max_iter: int = 2000

    def fit(self, x, m) -> GammaGammaModel:
        x, m = as_float(x), as_float(m)
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

        p, q, v = np.exp(self._fit_log_params(objective, 3))
        self.params_ = {"p": float(p), "q": float(q), "v": float(v * scale)}
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
        x, m = as_float(x), as_float(m)
        x = np.where(np.isfinite(x) & (x > 0), x, 0.0)
        m = np.where(np.isfinite(m) & (m > 0), m, 0.0)
        denominator = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (v + x * m) * p / denominator
        return np.where(denominator > 0, value, self.mean_order_value_)
