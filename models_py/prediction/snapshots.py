"""The feature and label snapshots as the models read them: split by cutoff role, labels
joined, one row per customer in customer order, and the columns each step reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from models_py.prediction.models import resolve_features
from models_py.settings import PredictionSettings

if TYPE_CHECKING:  # training imports this module
    from models_py.prediction.training import FittedModel

KEYS = ("as_of_date", "customer_id")


LABELS = ("orders_next_horizon", "spend_next_horizon", "purchased_next_horizon", "horizon_days")


JOINED_LABELS = LABELS[:3]  # the label columns joined to the train/evaluate snapshots


FORBIDDEN_FEATURES = (*KEYS, *LABELS, "cutoff_role")


# Snapshot columns the pipeline reads besides the model features: the keys, the history checks
# (frequency, first_order_date) and the BG/NBD inputs (see btyd_inputs).
PIPELINE_COLUMNS = (
    "customer_id",
    "as_of_date",
    "first_order_date",
    "last_order_date",
    "frequency",
    "aov",
)


def snapshot_frames(
    features: pd.DataFrame, labels: pd.DataFrame, cutoffs: dict[str, object]
) -> dict[str, pd.DataFrame]:
    """Split the snapshots by cutoff role and attach labels to the train/evaluate snapshots.

    ``cutoffs`` maps role (train, evaluate, score) to the as_of_date. Every train/evaluate
    customer must have exactly one label row; a missing one raises naming the customer.
    """
    require_columns("customer_feature_snapshots", features.columns, KEYS)
    require_columns("customer_label_snapshots", labels.columns, KEYS + JOINED_LABELS)
    for role in ("train", "evaluate", "score"):
        if role not in cutoffs:
            raise KeyError(f"no {role!r} cutoff given (cutoffs: {cutoffs})")
    # No copy of the whole frame (a million rows per cutoff at scale): each role's rows are
    # selected below and only those are converted.
    as_of = pd.to_datetime(features["as_of_date"])
    labs = labels[list(KEYS + JOINED_LABELS)].copy()
    labs["as_of_date"] = pd.to_datetime(labs["as_of_date"])
    dup = labs.duplicated(list(KEYS))
    if dup.any():
        row = labs[dup].iloc[0]
        raise duplicate_label_error(row["customer_id"], row["as_of_date"])
    out: dict[str, pd.DataFrame] = {}
    for role, cutoff in cutoffs.items():
        selected = (as_of == pd.Timestamp(cutoff)).to_numpy()
        part = features.loc[selected].assign(as_of_date=as_of[selected])
        if role != "score":
            # Labels are unique per customer (checked above); finish_snapshot checks the features.
            part = part.merge(labs, on=list(KEYS), how="left")
        out[role] = finish_snapshot(part, role, cutoff)
    return out


def require_columns(table: str, columns: Sequence[str], required: Sequence[str]) -> None:
    """Raise naming the ``required`` columns that ``table`` (with ``columns``) lacks."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise KeyError(f"{table} lacks column(s) {missing}")


def duplicate_label_error(customer_id, as_of_date) -> ValueError:
    return ValueError(
        f"customer_label_snapshots has duplicate rows for customer {customer_id} "
        f"as of {pd.Timestamp(as_of_date):%Y-%m-%d}"
    )


def finish_snapshot(part: pd.DataFrame, role: str, cutoff) -> pd.DataFrame:
    """One cutoff's rows (with the labels joined, unless ``role`` is score) made ready for the
    models: sorted by customer, one row each, nullable numbers as float64, labels checked and
    typed."""
    cut = pd.Timestamp(cutoff)
    part = _sorted_by_customer(part)
    repeated = part["customer_id"].duplicated()
    if repeated.any():
        customer = part.loc[repeated, "customer_id"].iloc[0]
        raise ValueError(f"customer {customer} has several snapshot rows as of {cut:%Y-%m-%d}")
    # Nullable integers (a NULL-able int column such as age arrives as Int32) become float64:
    # scikit-learn would otherwise turn them into object arrays at every fit and predict, which
    # costs more than the models themselves on a million rows.
    nullable = [
        c
        for c in part.columns
        if isinstance(part[c].dtype, pd.api.extensions.ExtensionDtype)
        and pd.api.types.is_numeric_dtype(part[c].dtype)
        and not pd.api.types.is_bool_dtype(part[c].dtype)
        and c not in LABELS
    ]
    if nullable:
        part[nullable] = part[nullable].astype("float64")
    part["as_of_date"] = pd.to_datetime(part["as_of_date"])
    if role != "score":
        missing = part["purchased_next_horizon"].isna()
        if missing.any():
            raise ValueError(
                f"customer {part.loc[missing, 'customer_id'].iloc[0]} has features but no "
                f"label row as of {cut:%Y-%m-%d} ({int(missing.sum())} such rows)"
            )
        part["purchased_next_horizon"] = part["purchased_next_horizon"].astype(int)
        part["spend_next_horizon"] = part["spend_next_horizon"].astype(float)
    return part


def _sorted_by_customer(part: pd.DataFrame) -> pd.DataFrame:
    # The warehouse returns rows in no fixed order, and fits (float sums, seeded sampling) must
    # not depend on it, so the same data gives the same predictions.
    if not part["customer_id"].is_monotonic_increasing:
        part = part.sort_values("customer_id", kind="mergesort")
    return part.reset_index(drop=True)


def input_columns(available: Sequence[str], settings: PredictionSettings) -> list[str]:
    """The snapshot columns that fitting with ``settings`` reads, out of ``available``: the
    pipeline's own and the features (patterns resolved). Reading only these keeps the snapshot's
    other columns (city, RFM segment, CLV...) out of the frames, a million rows each at scale."""
    return list(dict.fromkeys([*PIPELINE_COLUMNS, *model_features(available, settings)]))


def model_features(columns: Sequence[str], settings: PredictionSettings) -> list[str]:
    """The settings' features and categorical features, patterns resolved against ``columns``."""
    patterns = [*settings.features, *settings.categorical_features]
    return resolve_features(columns, patterns, FORBIDDEN_FEATURES)


def scoring_columns(models: Sequence[FittedModel]) -> list[str]:
    """The snapshot columns that scoring with fitted ``models`` reads."""
    return list(dict.fromkeys([*PIPELINE_COLUMNS, *(c for m in models for c in m.features)]))


def subsample(frame: pd.DataFrame, max_rows: int, random_state: int) -> pd.DataFrame:
    if len(frame) <= max_rows:
        return frame
    return frame.sample(n=max_rows, random_state=random_state).sort_index()
