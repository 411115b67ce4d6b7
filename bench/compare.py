"""Check that two customer_features tables hold the same values (on a seeded sample)."""

from __future__ import annotations

import numbers
from decimal import Decimal

import numpy as np
import pandas as pd

# The columns every implementation must reproduce (the core RFM / AOV / spend windows and the
# derived ratios); share_<category>, demographics and RFM scores are compared when present.
CORE_COLUMNS = (
    "first_order_date",
    "last_order_date",
    "recency_days",
    "tenure_days",
    "frequency",
    "monetary",
    "aov",
    "orders_per_month",
    "avg_days_between_orders",
    "spend_last_30d",
    "spend_last_90d",
    "spend_last_365d",
    "orders_last_90d",
    "clv_historical",
    "return_rate",
    "discount_share",
    "online_share",
)
OPTIONAL_COLUMNS = (
    "distinct_categories",
    "favourite_category",
    "gender",
    "age",
    "age_band",
    "city",
    "loyalty_tier",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "rfm_segment",
)
# Money is rounded to paise; ratios may differ in the last bits between engines.
TOLERANCE = 0.011


def _normalise(series: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD text, numbers (also Decimal objects) as float, the rest as text."""
    values = series.dropna()
    first = values.iloc[0] if len(values) else None
    if pd.api.types.is_datetime64_any_dtype(series) or (
        hasattr(first, "year") and not isinstance(first, str)
    ):
        return pd.to_datetime(series).dt.strftime("%Y-%m-%d").astype(object)
    if pd.api.types.is_numeric_dtype(series) or isinstance(first, (numbers.Number, Decimal)):
        return pd.to_numeric(series.astype(object), errors="coerce").astype(float)
    return series.astype(object)


def compare_features(
    reference: pd.DataFrame,
    candidate: pd.DataFrame,
    sample_size: int = 2_000,
    seed: int = 0,
) -> dict:
    """Compare candidate to reference on a seeded sample of reference's customers.

    Returns {"customers_reference", "customers_candidate", "sampled", "missing", "columns":
    {column: mismatching rows}, "mismatches": total, "example": first mismatch or None}.
    Customer sets must match exactly (counted over all rows, not only the sample).
    """
    ref_ids = set(reference["customer_id"])
    cand_ids = set(candidate["customer_id"])
    sample = reference.sample(n=min(sample_size, len(reference)), random_state=seed)
    # Values are compared for the sampled customers both hold; missing ones are counted apart.
    merged = sample.merge(candidate, on="customer_id", how="inner", suffixes=("_ref", "_cand"))
    columns = [
        c
        for c in (*CORE_COLUMNS, *OPTIONAL_COLUMNS, *sorted(reference.columns))
        if c in reference.columns and c in candidate.columns and c != "customer_id"
        if c not in ("as_of_date", "cutoff_role")
    ]
    columns = list(dict.fromkeys(columns))
    result: dict = {
        "customers_reference": len(ref_ids),
        "customers_candidate": len(cand_ids),
        "only_in_reference": len(ref_ids - cand_ids),
        "only_in_candidate": len(cand_ids - ref_ids),
        "sampled": len(merged),
        "columns": {},
        "mismatches": 0,
        "example": None,
    }
    for column in columns:
        ref = _normalise(merged[f"{column}_ref"])
        cand = _normalise(merged[f"{column}_cand"])
        if ref.dtype == float and cand.dtype == float:
            both_null = ref.isna() & cand.isna()
            close = np.isclose(ref, cand, rtol=1e-9, atol=TOLERANCE)
            bad = ~(both_null | close)
        else:
            both_null = ref.isna() & cand.isna()
            bad = ~(both_null | (ref.astype(str) == cand.astype(str)))
        count = int(bad.sum())
        result["columns"][column] = count
        result["mismatches"] += count
        if count and result["example"] is None:
            row = merged[bad.to_numpy()].iloc[0]
            result["example"] = {
                "customer_id": row["customer_id"],
                "column": column,
                "reference": str(row[f"{column}_ref"]),
                "candidate": str(row[f"{column}_cand"]),
            }
    result["missing"] = result["only_in_reference"] + result["only_in_candidate"]
    return result
