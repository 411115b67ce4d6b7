"""The BTYD inputs (x, t_x, T, mean order value) of a customer feature snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["btyd_inputs"]


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
