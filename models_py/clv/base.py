"""What the BTYD estimators share: maximum likelihood over bounded log-parameters, the check
that the optimizer converged (a warning, and ``converged_`` recorded on the model), and saving
a fitted model."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

__all__ = ["LOG_BOUND", "MaximumLikelihoodModel", "as_float"]

EPS = 1e-12

# Log-parameters stay in [-12, 12] (parameters in about [6e-6, 1.6e5]): beyond that, the
# differences of log-gamma/log-beta terms lose all precision and the "likelihood" can grow
# without bound along a spurious ridge.
LOG_BOUND = 12.0


def as_float(values) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1)


def _minimize(objective: Callable[[np.ndarray], float], start: np.ndarray, max_iter: int):
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


class MaximumLikelihoodModel:
    """Base of the BTYD estimators. Subclasses are dataclasses with ``penalizer`` and
    ``max_iter`` and call ``_fit_log_params``; learned ``params_`` and ``converged_``."""

    penalizer: float
    max_iter: int

    def _fit_log_params(
        self, objective: Callable[[np.ndarray], float], n_params: int
    ) -> np.ndarray:
        """The fitted log-parameters; records ``converged_`` and warns when the optimizer did
        not converge, so a caller can refuse to publish the fit."""
        result = _minimize(objective, np.zeros(n_params), self.max_iter)
        self.converged_ = bool(result.success)
        if not self.converged_:
            warnings.warn(
                f"{type(self).__name__} did not converge in {self.max_iter} iterations "
                f"({result.message}); its parameters may be off",
                ConvergenceWarning,
                stacklevel=3,
            )
        return np.asarray(result.x)

    def get_params(self) -> dict[str, float]:
        return {"penalizer": self.penalizer, "max_iter": self.max_iter}

    def save(self, path: Path | str) -> Path:
        """Write the fitted model to ``path`` (joblib); ``load`` reads it back."""
        joblib.dump(self, path)
        return Path(path)

    @classmethod
    def load(cls, path: Path | str):
        model = joblib.load(path)
        if not isinstance(model, cls):
            raise TypeError(f"{path}: holds a {type(model).__name__}, not a {cls.__name__}")
        return model
