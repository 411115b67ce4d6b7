"""Features derived from the snapshot by a fitted step of a candidate's pipeline: BG/NBD +
Gamma-Gamma outputs (``BtydFeatures``) and the calendar position of the prediction window
(``CalendarFeatures``).

Both take the snapshot DataFrame and return it with columns added, so they sit in front of the
shared preprocessing; the registry lists the columns they add (``BTYD_FEATURES``,
``CALENDAR_FEATURES``) among the candidate's numeric features. Whatever they learn, they learn in
``fit``, from the rows the candidate is fitted on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from models_py.prediction.models import BtydBaseline

__all__ = [
    "BTYD_FEATURES",
    "BTYD_PREDICTION",
    "CALENDAR_FEATURES",
    "BtydFeatures",
    "CalendarFeatures",
]

# The first two are BG/NBD + Gamma-Gamma's own predictions of the two tasks (a blend reads them).
BTYD_FEATURES = (
    "btyd_expected_spend",
    "btyd_p_purchase",
    "btyd_expected_orders",
    "btyd_p_alive",
    "btyd_expected_order_value",
)
BTYD_PREDICTION = {"spend": "btyd_expected_spend", "purchase": "btyd_p_purchase"}

CALENDAR_FEATURES = ("horizon_mid_doy_sin", "horizon_mid_doy_cos")

DAYS_PER_YEAR = 365.25


class BtydFeatures(TransformerMixin, BaseEstimator):
    """Adds BG/NBD + Gamma-Gamma outputs as columns: expected spend and P(at least one order) in
    the next ``horizon_days``, expected orders, P(alive) at the cutoff and expected order value.
    BG/NBD and Gamma-Gamma are fitted in ``fit`` on the rows given (labels unused) and kept as
    ``btyd_``; ``transform`` only applies them."""

    def __init__(self, horizon_days: int = 90, penalizer: float = 0.0):
        self.horizon_days = horizon_days
        self.penalizer = penalizer

    def fit(self, X: pd.DataFrame, y=None) -> BtydFeatures:
        self.btyd_ = BtydBaseline(
            task="spend", horizon_days=self.horizon_days, penalizer=self.penalizer
        ).fit(X)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if not hasattr(self, "btyd_"):
            raise RuntimeError("BtydFeatures is not fitted yet; call fit first")
        out = self.btyd_.outputs(X, self.horizon_days)
        added = pd.DataFrame(
            {
                "btyd_expected_spend": out["expected_orders"] * out["expected_order_value"],
                "btyd_p_purchase": out["p_purchase"],
                "btyd_expected_orders": out["expected_orders"],
                "btyd_p_alive": out["p_alive"],
                "btyd_expected_order_value": out["expected_order_value"],
            },
            index=X.index,
        )
        return pd.concat([X.drop(columns=list(BTYD_FEATURES), errors="ignore"), added], axis=1)


class CalendarFeatures(TransformerMixin, BaseEstimator):
    """Adds where in the year the prediction window's middle falls (day of year as sin/cos, so
    31 December sits next to 1 January), from each row's ``as_of_date`` and ``horizon_days``.

    Constant within one cutoff: it tells windows apart only when the rows come from several
    cutoffs, so it informs a model fitted on stacked cutoffs and nothing else."""

    def __init__(self, horizon_days: int = 90, as_of_col: str = "as_of_date"):
        self.horizon_days = horizon_days
        self.as_of_col = as_of_col

    def fit(self, X: pd.DataFrame, y=None) -> CalendarFeatures:
        if self.as_of_col not in X.columns:
            raise KeyError(f"CalendarFeatures needs snapshot column {self.as_of_col!r}")
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        middle = pd.to_datetime(X[self.as_of_col]) + pd.Timedelta(days=self.horizon_days / 2)
        angle = 2 * np.pi * (middle.dt.day_of_year.to_numpy(float) - 1) / DAYS_PER_YEAR
        added = pd.DataFrame(
            {"horizon_mid_doy_sin": np.sin(angle), "horizon_mid_doy_cos": np.cos(angle)},
            index=X.index,
        )
        return pd.concat([X.drop(columns=list(CALENDAR_FEATURES), errors="ignore"), added], axis=1)
