"""Read the segmentation settings from a dbt model's config (the `segment_*` dbt vars rendered into
the model config in models/ml/_ml__models.yml). Config values arrive as text: lists comma-separated,
`None`/`null`/empty for "not set"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models_py.segmentation import SegmentSettings

NULLS = {"", "none", "null"}


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip().strip("[]")
    return tuple(part.strip().strip("'\"") for part in text.split(",") if part.strip())


def _int(name: str, value: Any, *, nullable: bool = False) -> int | None:
    if value is None or str(value).strip().lower() in NULLS:
        if nullable:
            return None
        raise ValueError(f"dbt var {name}: a whole number is required")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"dbt var {name}: expected a whole number, got {value!r}") from None


def settings_from_config(get: Callable[[str], Any]) -> SegmentSettings:
    """Build SegmentSettings from `dbt.config.get`. Unset keys keep the library defaults, except
    `segment_k`: unset or null selects k automatically."""
    defaults = SegmentSettings()

    def number(key: str, default: int) -> int:
        value = get(key)
        return default if value is None else int(_int(key, value) or 0)

    k_value = get("segment_k")
    return SegmentSettings(
        features=_names(get("segment_features")) or defaults.features,
        log_features=(
            defaults.log_features
            if get("segment_log_features") is None
            else _names(get("segment_log_features"))
        ),
        # A null segment_k (rendered as None) means: choose k by silhouette.
        n_clusters=_int("segment_k", k_value, nullable=True),
        k_min=number("segment_k_min", defaults.k_min),
        k_max=number("segment_k_max", defaults.k_max),
        random_state=number("segment_random_seed", defaults.random_state),
        n_init=number("segment_n_init", defaults.n_init),
        silhouette_sample_size=number(
            "segment_silhouette_sample_size", defaults.silhouette_sample_size
        ),
        minibatch_threshold=number("segment_minibatch_threshold", defaults.minibatch_threshold),
    )
