"""Scoring every customer at the score cutoff with the published models."""

from __future__ import annotations

import pandas as pd

from models_py.prediction.models import BtydBaseline, predict_task
from models_py.prediction.training import FittedModel


def score_customers(
    score: pd.DataFrame,
    purchase_model: FittedModel,
    spend_model: FittedModel,
    btyd_model: BtydBaseline,
    horizon_days: int,
    clv_days: int = 365,
) -> pd.DataFrame:
    """One row per customer of the score snapshot: p_purchase and predicted_spend for the
    horizon after the cutoff, p_alive and predicted_clv_12m (BG/NBD expected orders in
    ``clv_days`` x Gamma-Gamma expected order value, undiscounted) from the BTYD pair."""
    p_purchase = predict_task(purchase_model.estimator, "purchase", score)
    spend = predict_task(spend_model.estimator, "spend", score)
    out = pd.DataFrame(
        {
            "customer_id": score["customer_id"].to_numpy(),
            "as_of_date": pd.to_datetime(score["as_of_date"]).dt.date.to_numpy(),
            "horizon_days": int(horizon_days),
            "p_purchase": p_purchase,
            "purchase_predicted": p_purchase >= (purchase_model.threshold or 0.5),
            "predicted_spend": spend,
            "expected_orders_12m": btyd_model.expected_orders(score, clv_days),
            "predicted_clv_12m": btyd_model.expected_spend(score, clv_days),
            "p_alive": btyd_model.p_alive(score),
            "purchase_model_name": purchase_model.model_name,
            "spend_model_name": spend_model.model_name,
        }
    )
    out["model_name"] = "purchase=" + purchase_model.model_name + ";spend=" + spend_model.model_name
    return out
