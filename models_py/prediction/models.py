"""Purchase and spend predictors: the baselines and the preprocessing the candidates share (the
list of models is the registry, registry.py).

Every model takes a customer feature snapshot (a DataFrame, one row per customer) as X, so
candidates and baselines are fitted, scored and saved the same way. Tasks:

- ``purchase``: will the customer order in the ``horizon_days`` after the cutoff (classifier,
  scored by the probability of the positive class),
- ``spend``: net spend in the ``horizon_days`` after the cutoff (regressor, predictions clipped
  at 0).
"""

from __future__ import annotations

import fnmatch
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from models_py.clv import BetaGeoModel, GammaGammaModel, btyd_inputs

__all__ = [
    "TASKS",
    "BtydBaseline",
    "BtydBlend",
    "FrameToObject",
    "LastWindowBaseline",
    "ZeroBaseline",
    "column_major",
    "predict_task",
    "preprocessor",
    "resolve_features",
]

TASKS = ("purchase", "spend")


def resolve_features(
    columns: Sequence[str], patterns: Sequence[str], forbidden: Sequence[str] = ()
) -> list[str]:
    """Expand feature names and shell patterns (``share_*``) against the snapshot's columns.

    Raises if a plain name is missing or a feature is forbidden (label or key columns), so a typo
    or a leak fails loudly instead of silently changing the model. A pattern stands for a family
    of columns that exists only when the data has it (``share_*`` needs product categories), so a
    pattern that matches nothing adds nothing.
    """
    columns = list(columns)
    out: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matches = [c for c in columns if fnmatch.fnmatchcase(c, pattern)]
        else:
            if pattern not in columns:
                raise KeyError(
                    f"feature {pattern!r} is not a column of the feature snapshot "
                    f"(columns: {', '.join(columns)})"
                )
            matches = [pattern]
        out.extend(m for m in matches if m not in out)
    leaked = sorted(set(out) & set(forbidden))
    if leaked:
        raise ValueError(f"features {leaked} are labels or keys and must not be model inputs")
    return out


def preprocessor(numeric: list[str], categorical: list[str], scale: bool) -> ColumnTransformer:
    numeric_steps: list = [SimpleImputer(strategy="median", add_indicator=True)]
    if scale:
        numeric_steps.append(StandardScaler())
    transformers: list = [("numeric", make_pipeline(*numeric_steps), numeric)]
    if categorical:
        transformers.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="unknown"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            )
        )
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def column_major(matrix: np.ndarray) -> np.ndarray:
    """The preprocessed matrix in column-major (Fortran) order, for HistGradientBoosting.

    Its predict walks one tree at a time over every row, so reading a split's feature for
    consecutive rows is sequential in column-major order (faster, same predictions; see
    docs/benchmarks.md). Fitting takes the same time either way (it bins its input first).
    """
    return np.asfortranarray(matrix)


class FrameToObject(BaseEstimator):
    """Cast categorical columns to str (so pandas' string dtype and None mix in OneHotEncoder)."""

    def __init__(self, categorical: Sequence[str] = ()):
        self.categorical = categorical

    def fit(self, X: pd.DataFrame, y=None) -> FrameToObject:
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        X = X.copy()
        for col in self.categorical:
            X[col] = X[col].astype(object).where(X[col].notna(), None)
        return X


PREDICT_CHUNK_ROWS = 250_000


def predict_task(model, task: str, X: pd.DataFrame) -> np.ndarray:
    """P(purchase) for the purchase task, spend clipped at 0 for the spend task.

    Predicted ``PREDICT_CHUNK_ROWS`` customers at a time: every model scores a row on its own,
    and the preprocessing makes a dense float copy of its input, so chunks keep that copy small
    at any scale.
    """
    if len(X) > PREDICT_CHUNK_ROWS:
        return np.concatenate(
            [
                predict_task(model, task, X.iloc[start : start + PREDICT_CHUNK_ROWS])
                for start in range(0, len(X), PREDICT_CHUNK_ROWS)
            ]
        )
    if task == "purchase":
        return np.asarray(model.predict_proba(X))[:, 1].astype(float)
    return np.clip(np.asarray(model.predict(X), dtype=float), 0.0, None)


def _proba(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.column_stack([1.0 - p, p])


class ZeroBaseline(BaseEstimator):
    """Predicts no purchase (probability 0) and zero spend for everyone."""

    def __init__(self, task: str = "spend"):
        self.task = task

    def fit(self, X: pd.DataFrame, y=None) -> ZeroBaseline:
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return _proba(np.zeros(len(X)))


class LastWindowBaseline(BaseEstimator):
    """Repeats the last window: spend in the H days before the cutoff as the next H days' spend;
    purchase probability 1 if the customer ordered in those H days, else 0."""

    def __init__(
        self,
        task: str = "spend",
        spend_col: str = "spend_last_horizon",
        orders_col: str = "orders_last_horizon",
    ):
        self.task = task
        self.spend_col = spend_col
        self.orders_col = orders_col

    def fit(self, X: pd.DataFrame, y=None) -> LastWindowBaseline:
        for col in (self.spend_col, self.orders_col):
            if col not in X.columns:
                raise KeyError(f"last_window baseline needs snapshot column {col!r}")
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return pd.to_numeric(X[self.spend_col], errors="coerce").fillna(0).to_numpy(float)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        orders = pd.to_numeric(X[self.orders_col], errors="coerce").fillna(0).to_numpy(float)
        return _proba((orders > 0).astype(float))


def _fit_btyd_pair(d: pd.DataFrame, penalizer: float) -> tuple[BetaGeoModel, GammaGammaModel]:
    bgnbd = BetaGeoModel(penalizer=penalizer).fit(d["x"], d["t_x"], d["T"])
    # Gamma-Gamma on every customer with a positive mean order value (all orders, so one-order
    # customers inform the spend level too).
    gg = d[np.isfinite(d["m"]) & (d["m"] > 0)]
    return bgnbd, GammaGammaModel(penalizer=penalizer).fit(gg["orders"], gg["m"])


_BTYD_FITS: OrderedDict[str, tuple[BetaGeoModel, GammaGammaModel]] = OrderedDict()
_BTYD_FITS_LOCK = threading.Lock()
BTYD_FITS_KEPT = 4  # a run fits on a few snapshots; the baseline and derived features share them


def _btyd_pair(d: pd.DataFrame, penalizer: float) -> tuple[BetaGeoModel, GammaGammaModel]:
    """The BG/NBD + Gamma-Gamma fit of these inputs, fitted once per distinct input: the
    baseline and every candidate's BTYD features fitted on the same rows share it (the fitted
    models are only read afterwards)."""
    columns = d[["x", "t_x", "T", "m", "orders"]].to_numpy(dtype=float)
    key = hashlib.blake2b(columns.tobytes(), digest_size=16)
    key.update(repr((columns.shape, float(penalizer))).encode())
    digest = key.hexdigest()
    with _BTYD_FITS_LOCK:
        if digest in _BTYD_FITS:
            _BTYD_FITS.move_to_end(digest)
            return _BTYD_FITS[digest]
    pair = _fit_btyd_pair(d, penalizer)
    with _BTYD_FITS_LOCK:
        _BTYD_FITS[digest] = pair
        while len(_BTYD_FITS) > BTYD_FITS_KEPT:
            _BTYD_FITS.popitem(last=False)
    return pair


class BtydBaseline(BaseEstimator):
    """BG/NBD + Gamma-Gamma fitted on the snapshot's purchase histories (labels unused).

    Time unit: days. purchase: P(at least one order in the next ``horizon_days``); spend:
    expected orders in the horizon x Gamma-Gamma expected order value (mean order value ``aov``
    shrunk to the population mean). Customers without an order by the cutoff get 0.
    """

    def __init__(self, task: str = "spend", horizon_days: int = 90, penalizer: float = 0.0):
        self.task = task
        self.horizon_days = horizon_days
        self.penalizer = penalizer

    def fit(self, X: pd.DataFrame, y=None) -> BtydBaseline:
        d = btyd_inputs(X)
        d = d[d["has_history"]]
        if len(d) < 10:
            raise ValueError(
                f"BG/NBD needs at least 10 customers with an order by the cutoff; got {len(d)}"
            )
        self.bgnbd_, self.gamma_gamma_ = _btyd_pair(d, self.penalizer)
        self.n_features_in_ = X.shape[1]
        return self

    def with_task(self, task: str) -> BtydBaseline:
        """A copy for another task that shares this one's fitted BG/NBD and Gamma-Gamma."""
        other = BtydBaseline(task=task, horizon_days=self.horizon_days, penalizer=self.penalizer)
        for attr in ("bgnbd_", "gamma_gamma_", "n_features_in_"):
            if hasattr(self, attr):
                setattr(other, attr, getattr(self, attr))
        return other

    def _inputs(self, X: pd.DataFrame) -> pd.DataFrame:
        return btyd_inputs(X)

    def p_alive(self, X: pd.DataFrame) -> np.ndarray:
        d = self._inputs(X)
        p = self.bgnbd_.probability_alive(d["x"], d["t_x"], d["T"])
        return np.where(d["has_history"], p, np.nan)

    def expected_orders(self, X: pd.DataFrame, days: float) -> np.ndarray:
        d = self._inputs(X)
        e = self.bgnbd_.expected_purchases(days, d["x"], d["t_x"], d["T"])
        return np.where(d["has_history"], e, 0.0)

    def expected_order_value(self, X: pd.DataFrame) -> np.ndarray:
        d = self._inputs(X)
        return self.gamma_gamma_.expected_order_value(d["orders"], d["m"])

    def outputs(self, X: pd.DataFrame, days: float) -> dict[str, np.ndarray]:
        """Every per-customer output for the next ``days`` from one pass over the inputs:
        expected_orders, p_purchase, p_alive (NaN without history), expected_order_value."""
        d = self._inputs(X)
        history = d["has_history"].to_numpy()
        x, t_x, T = d["x"], d["t_x"], d["T"]
        orders = self.bgnbd_.expected_purchases(days, x, t_x, T)
        buys = self.bgnbd_.probability_purchase(days, x, t_x, T)
        return {
            "expected_orders": np.where(history, orders, 0.0),
            "p_purchase": np.where(history, buys, 0.0),
            "p_alive": np.where(history, self.bgnbd_.probability_alive(x, t_x, T), np.nan),
            "expected_order_value": self.gamma_gamma_.expected_order_value(d["orders"], d["m"]),
        }

    def expected_spend(self, X: pd.DataFrame, days: float) -> np.ndarray:
        return self.expected_orders(X, days) * self.expected_order_value(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.expected_spend(X, self.horizon_days)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        d = self._inputs(X)
        p = self.bgnbd_.probability_purchase(self.horizon_days, d["x"], d["t_x"], d["T"])
        return _proba(np.where(d["has_history"], p, 0.0))


class BtydBlend(BaseEstimator):
    """A supervised model averaged with BG/NBD + Gamma-Gamma's own prediction of the task.

    The last step of a candidate's pipeline whose BTYD features step put BG/NBD + Gamma-Gamma's
    prediction (expected spend, or P(purchase)) in column ``btyd_column`` of the matrix:
    predictions are ``(1 - btyd_weight) x estimator + btyd_weight x that column``. A fixed weight
    rather than one fitted on held-out rows of the training window: such rows share that
    window's season, so a fitted weight favours the supervised model exactly where a different
    window makes it wrong (docs/forecast-evaluation.md).
    """

    def __init__(
        self, estimator=None, task: str = "spend", btyd_column: int = 0, btyd_weight: float = 0.5
    ):
        self.estimator = estimator
        self.task = task
        self.btyd_column = btyd_column
        self.btyd_weight = btyd_weight

    def fit(self, X, y) -> BtydBlend:
        if not 0.0 <= self.btyd_weight <= 1.0:
            raise ValueError(f"btyd_weight must be in [0, 1], got {self.btyd_weight}")
        self.estimator_ = clone(self.estimator).fit(X, y)
        if self.task == "purchase":
            self.classes_ = self.estimator_.classes_
        self.n_features_in_ = np.shape(X)[1]
        return self

    def _btyd(self, X) -> np.ndarray:
        return np.asarray(X)[:, self.btyd_column].astype(float)

    def predict(self, X) -> np.ndarray:
        supervised = np.clip(np.asarray(self.estimator_.predict(X), dtype=float), 0.0, None)
        return (1 - self.btyd_weight) * supervised + self.btyd_weight * self._btyd(X)

    def predict_proba(self, X) -> np.ndarray:
        supervised = np.asarray(self.estimator_.predict_proba(X))[:, 1]
        btyd = np.clip(self._btyd(X), 0.0, 1.0)
        return _proba((1 - self.btyd_weight) * supervised + self.btyd_weight * btyd)


def fresh(model):
    """An unfitted copy with the same parameters."""
    return clone(model)
