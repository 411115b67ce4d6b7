"""The evidence a segment's name rests on: its profile relative to all featured customers,
computed once here (written to segment_model, published by segment_profiles) and checked against
the seed's thresholds (definitions.py).

Per segment:

- ``tenure_vs_horizon``: median tenure_days / horizon_days (1 = the median customer's first order
  was one horizon ago);
- ``spend_vs_median``: median monetary / the population's median monetary;
- ``revenue_lift``: share of revenue (sum of monetary) / share of customers;
- ``orders_vs_median``: median frequency / the population's median frequency;
- ``typical_orders``: median frequency (orders);
- ``lapsed_share``: share of customers past ``lapse_gap_multiple`` times their usual gap between
  orders since their last order (their own average gap, or the population's median gap for a
  one-order customer);
- ``lapsed_regular_share``: share of customers with two or more orders who are lapsed so.

A ratio whose denominator is not positive is NaN, and NaN meets no threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EVIDENCE_COLUMNS", "EVIDENCE_INPUTS", "segment_evidence", "usual_gap_days"]

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "tenure_vs_horizon",
    "spend_vs_median",
    "revenue_lift",
    "orders_vs_median",
    "typical_orders",
    "lapsed_share",
    "lapsed_regular_share",
)
# The customer_features columns the evidence reads.
EVIDENCE_INPUTS: tuple[str, ...] = (
    "recency_days",
    "tenure_days",
    "frequency",
    "monetary",
    "avg_days_between_orders",
)


def _ratio(numerator: pd.Series | float, denominator: float) -> pd.Series | float:
    if not denominator > 0:
        return numerator * np.nan
    return numerator / denominator


def usual_gap_days(features: pd.DataFrame, horizon_days: int) -> pd.Series:
    """Each customer's usual gap between orders: their own average gap when they ordered twice or
    more, else the population's median gap (horizon_days when nobody ordered twice)."""
    own = features["avg_days_between_orders"].astype(float)
    repeat = (features["frequency"].astype(float) >= 2) & own.notna()
    population = own[repeat].median()
    default = float(population) if pd.notna(population) else float(horizon_days)
    return own.where(repeat, default)


def segment_evidence(
    features: pd.DataFrame,
    labels: np.ndarray,
    horizon_days: int,
    lapse_gap_multiple: float,
) -> pd.DataFrame:
    """One row per label value (sorted), the EVIDENCE_COLUMNS, for ``features`` (one row per
    customer, with EVIDENCE_INPUTS) labelled ``labels``."""
    data = features[list(EVIDENCE_INPUTS)].astype(float)
    frequency, monetary = data["frequency"], data["monetary"]
    lapsed = data["recency_days"] > lapse_gap_multiple * usual_gap_days(data, horizon_days)
    regular = (frequency >= 2) & data["avg_days_between_orders"].notna()
    data = data.assign(
        lapsed=lapsed.astype(float),
        lapsed_regular=(lapsed & regular).astype(float),
        segment=np.asarray(labels),
    )
    grouped = data.groupby("segment")
    medians = grouped[["tenure_days", "monetary", "frequency"]].median()
    share_of_customers = grouped.size() / len(data)
    total_revenue = float(monetary.sum())
    share_of_revenue = _ratio(grouped["monetary"].sum(), total_revenue)
    evidence = pd.DataFrame(
        {
            "tenure_vs_horizon": _ratio(medians["tenure_days"], float(horizon_days)),
            "spend_vs_median": _ratio(medians["monetary"], float(monetary.median())),
            "revenue_lift": share_of_revenue / share_of_customers,
            "orders_vs_median": _ratio(medians["frequency"], float(frequency.median())),
            "typical_orders": medians["frequency"],
            "lapsed_share": grouped["lapsed"].mean(),
            "lapsed_regular_share": grouped["lapsed_regular"].mean(),
        }
    )
    return evidence[list(EVIDENCE_COLUMNS)].astype(float)
