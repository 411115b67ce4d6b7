"""Features derived from the snapshot by a fitted step of a candidate's pipeline: BG/NBD +
Gamma-Gamma outputs (``BtydFeatures``), MBG/NBD's (``MbgnbdFeatures``), the customer's own
purchase cadence (``CadenceFeatures``) and the calendar position of the prediction window
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

from models_py.clv import ModifiedBetaGeoModel, btyd_inputs
from models_py.prediction.models import BtydBaseline

__all__ = [
    "BTYD_FEATURES",
    "BTYD_PREDICTION",
    "CADENCE_FEATURES",
    "CALENDAR_FEATURES",
    "MBGNBD_FEATURES",
    "BtydFeatures",
    "CadenceFeatures",
    "CalendarFeatures",
    "MbgnbdFeatures",
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

MBGNBD_FEATURES = ("mbgnbd_expected_orders", "mbgnbd_p_purchase", "mbgnbd_p_alive")

CADENCE_FEATURES = ("mean_gap_days", "recency_over_gap")

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


def _with_columns(X: pd.DataFrame, added: dict[str, np.ndarray], names: tuple[str, ...]):
    frame = pd.DataFrame(added, index=X.index)
    return pd.concat([X.drop(columns=list(names), errors="ignore"), frame], axis=1)


class MbgnbdFeatures(TransformerMixin, BaseEstimator):
    """Adds MBG/NBD's expected orders and P(at least one order) in the next ``horizon_days`` and
    P(alive) at the cutoff: unlike BG/NBD's, a one-time buyer's P(alive) falls with time since
    the first order. MBG/NBD is fitted in ``fit`` on the rows given (labels unused), as
    ``mbgnbd_``; customers without an order get 0 orders, P 0 and P(alive) missing."""

    def __init__(self, horizon_days: int = 90):
        self.horizon_days = horizon_days

    def fit(self, X: pd.DataFrame, y=None) -> MbgnbdFeatures:
        d = btyd_inputs(X)
        d = d[d["has_history"]]
        self.mbgnbd_ = ModifiedBetaGeoModel().fit(d["x"], d["t_x"], d["T"])
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if not hasattr(self, "mbgnbd_"):
            raise RuntimeError("MbgnbdFeatures is not fitted yet; call fit first")
        d = btyd_inputs(X)
        history = d["has_history"].to_numpy()
        x, t_x, T = d["x"], d["t_x"], d["T"]
        orders = self.mbgnbd_.expected_purchases(self.horizon_days, x, t_x, T)
        buys = self.mbgnbd_.probability_purchase(self.horizon_days, x, t_x, T)
        added = {
            "mbgnbd_expected_orders": np.where(history, orders, 0.0),
            "mbgnbd_p_purchase": np.where(history, buys, 0.0),
            "mbgnbd_p_alive": np.where(history, self.mbgnbd_.probability_alive(x, t_x, T), np.nan),
        }
        return _with_columns(X, added, MBGNBD_FEATURES)


class CadenceFeatures(TransformerMixin, BaseEstimator):
    """Adds the customer's own rhythm, from the snapshot's first and last order dates and order
    count: the mean days between orders and the days since the last order in units of it (a
    regular buyer well past their usual gap has probably left). Missing below two orders.
    Nothing is learned."""

    def fit(self, X: pd.DataFrame, y=None) -> CadenceFeatures:
        btyd_inputs(X.head(0))  # raises naming any snapshot column it lacks
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        d = btyd_inputs(X)
        repeat = d["has_history"].to_numpy() & (d["x"].to_numpy() > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(repeat, d["t_x"] / d["x"], np.nan)
            overdue = np.where(repeat & (gap > 0), (d["T"] - d["t_x"]) / gap, np.nan)
        added = {"mean_gap_days": gap, "recency_over_gap": overdue}
        return _with_columns(X, added, CADENCE_FEATURES)
