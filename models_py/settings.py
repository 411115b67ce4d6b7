"""Every Python-side setting, once: the segmentation and prediction settings (typed, frozen), the
one parser that turns dbt vars into them, the dbt_project.yml loader, and the CA_* paths.

A setting configurable from dbt names its var in the field's metadata; the var's default lives in
dbt_project.yml, and a test checks that parsing dbt_project.yml's vars gives the dataclass defaults,
so the two cannot drift apart. Values arrive from dbt as text: lists comma-separated or as
``['a', 'b']``, ``None``/``null``/empty for "not set".
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

__all__ = [
    "DBT_PROJECT_DIR",
    "DBT_PROJECT_YML",
    "PATH_DEFAULTS",
    "ROOT",
    "PipelinePaths",
    "PredictionSettings",
    "SegmentSettings",
    "SparkMlSettings",
    "env_path",
    "prediction_settings_from_vars",
    "project_vars",
    "segment_settings_from_vars",
    "settings_from_vars",
]

ROOT = Path(__file__).resolve().parents[1]
WAREHOUSE_DIR = ROOT / "warehouse"
DBT_PROJECT_DIR = ROOT / "dbt_project"
DBT_PROJECT_YML = DBT_PROJECT_DIR / "dbt_project.yml"
NULLS = {"", "none", "null"}


@functools.cache
def project_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml: the defaults every dbt run starts from."""
    return dict(yaml.safe_load(DBT_PROJECT_YML.read_text(encoding="utf-8"))["vars"])


def _var(name: str, *, nullable: bool = False) -> dict[str, Any]:
    """Field metadata: the dbt var that sets this field; ``nullable``: a null var means None
    (instead of the default)."""
    return {"var": name, "nullable": nullable}


# ---------------------------------------------------------------------------------------------
# Segmentation.
# ---------------------------------------------------------------------------------------------

# All right-skewed behaviour features; on the demo data they recover the customer types best.
DEFAULT_SEGMENT_FEATURES: tuple[str, ...] = (
    "recency_days",
    "tenure_days",
    "frequency",
    "monetary",
    "aov",
    "avg_days_between_orders",
)


@dataclass(frozen=True)
class SegmentSettings:
    """Everything that configures a segmentation run (the dbt vars `segment_*`)."""

    features: tuple[str, ...] = field(
        default=DEFAULT_SEGMENT_FEATURES, metadata=_var("segment_features")
    )
    log_features: tuple[str, ...] = field(
        default=DEFAULT_SEGMENT_FEATURES, metadata=_var("segment_log_features")
    )
    # None: choose k in [k_min, k_max] by stability across resamples and silhouette.
    n_clusters: int | None = field(default=None, metadata=_var("segment_k", nullable=True))
    k_min: int = field(default=2, metadata=_var("segment_k_min"))
    k_max: int = field(default=8, metadata=_var("segment_k_max"))
    random_state: int = field(default=42, metadata=_var("segment_random_seed"))
    n_init: int = field(default=10, metadata=_var("segment_n_init"))
    silhouette_sample_size: int = field(
        default=5_000, metadata=_var("segment_silhouette_sample_size")
    )
    minibatch_threshold: int = field(default=200_000, metadata=_var("segment_minibatch_threshold"))
    # Segment naming: "new" is measured in horizons; a customer is lapsed past this many times
    # their usual gap between orders (models_py/segmentation/evidence.py).
    horizon_days: int = field(default=90, metadata=_var("horizon_days"))
    lapse_gap_multiple: int = field(default=2, metadata=_var("segment_lapse_gap_multiple"))
    n_threads: int = field(default=1, metadata=_var("segment_n_threads"))

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "log_features", tuple(self.log_features))
        if not self.features:
            raise ValueError("segment settings: the feature list is empty")
        if len(set(self.features)) != len(self.features):
            raise ValueError(f"segment settings: duplicate features in {list(self.features)}")
        unknown = sorted(set(self.log_features) - set(self.features))
        if unknown:
            raise ValueError(f"segment settings: log features {unknown} are not in the features")
        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(
                f"segment settings: need 2 <= k_min <= k_max, got {self.k_min}, {self.k_max}"
            )
        if self.n_clusters is not None and self.n_clusters < 2:
            raise ValueError(f"segment settings: n_clusters must be >= 2, got {self.n_clusters}")
        if self.horizon_days < 1 or self.lapse_gap_multiple < 1:
            raise ValueError("segment settings: horizon_days and lapse_gap_multiple must be >= 1")
        if self.n_init < 1 or self.silhouette_sample_size < 2 or self.minibatch_threshold < 1:
            raise ValueError(
                "segment settings: n_init, silhouette sample size and threshold must be positive"
            )


# ---------------------------------------------------------------------------------------------
# Prediction.
# ---------------------------------------------------------------------------------------------


def _candidate_names() -> tuple[str, ...]:
    from models_py.prediction.registry import candidate_names

    return candidate_names()


def _baseline_names() -> tuple[str, ...]:
    from models_py.prediction.registry import baseline_names

    return baseline_names()


@dataclass(frozen=True)
class PredictionSettings:
    """What to fit and how. ``features`` may hold shell patterns such as ``share_*``."""

    horizon_days: int = field(default=90, metadata=_var("horizon_days"))
    features: tuple[str, ...] = field(default=(), metadata=_var("prediction_features"))
    categorical_features: tuple[str, ...] = field(
        default=(), metadata=_var("prediction_categorical_features")
    )
    candidates: tuple[str, ...] = field(default_factory=_candidate_names)
    baselines: tuple[str, ...] = field(default_factory=_baseline_names)
    random_state: int = field(default=42, metadata=_var("prediction_random_state"))
    hgb_max_iter: int = field(default=150, metadata=_var("prediction_hgb_max_iter"))
    tree_max_depth: int = 6
    min_train_customers: int = field(default=200, metadata=_var("prediction_min_train_customers"))
    min_history_days: int | None = None  # None: horizon_days
    max_train_rows: int = field(default=250_000, metadata=_var("prediction_max_train_rows"))
    clv_days: int = field(default=365, metadata=_var("prediction_clv_days"))
    importance_rows: int = 3_000
    importance_repeats: int = 3
    # OpenMP/BLAS threads per fit (dbt runs models side by side).
    n_threads: int = field(default=1, metadata=_var("prediction_n_threads"))
    # Fits run side by side (purchase beside spend), each on n_threads.
    n_jobs: int = field(default=2, metadata=_var("prediction_n_jobs"))
    # Rolling-origin backtests (models_py/prediction/backtests.py): folds evaluated, training
    # cutoffs stacked per fit, and the training rows a backtest fold may use.
    backtest_folds: int = field(default=3, metadata=_var("backtest_folds"))
    training_cutoffs: int = field(default=1, metadata=_var("training_cutoffs"))
    backtest_max_rows: int = field(default=20_000, metadata=_var("prediction_backtest_max_rows"))
    # 1: scale spend by the season a year earlier when the backtests say it helps (the grid of
    # cutoffs reaches a year deeper for it); 0: off.
    season_calibration: int = field(default=0, metadata=_var("season_calibration"))

    def __post_init__(self) -> None:
        for name in ("features", "categorical_features", "candidates", "baselines"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def as_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True, default=list)


@dataclass(frozen=True)
class SparkMlSettings:
    """The Spark ML step (models_py.spark): at most ``driver_sample_rows`` customers per table
    reach the driver to fit on (a seeded sample); every customer is scored in Spark."""

    driver_sample_rows: int = field(default=1_000_000, metadata=_var("spark_ml_driver_sample_rows"))

    def __post_init__(self) -> None:
        if self.driver_sample_rows < 1:
            raise ValueError(
                f"spark_ml_driver_sample_rows must be positive, got {self.driver_sample_rows}"
            )


# ---------------------------------------------------------------------------------------------
# The parser: dbt vars in, typed settings out.
# ---------------------------------------------------------------------------------------------

Settings = TypeVar("Settings", SegmentSettings, PredictionSettings, SparkMlSettings)


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in NULLS)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip().strip("[]")
    return tuple(part.strip().strip("'\"") for part in text.split(",") if part.strip())


def _whole_number(var: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"dbt var {var}: expected a whole number, got {value!r}")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"dbt var {var}: expected a whole number, got {value!r}") from None


_UNSET = object()


def _parse(var: str, kind: Any, value: Any, nullable: bool) -> Any:
    """The var's value as the setting's type; ``_UNSET`` keeps the default."""
    if kind == tuple[str, ...]:
        return _UNSET if value is None else _names(value)
    if kind not in (int, int | None):
        raise TypeError(f"dbt var {var}: no parser for a setting of type {kind}")
    if _is_null(value):
        return None if nullable else _UNSET
    return _whole_number(var, value)


def settings_from_vars(cls: type[Settings], get: Callable[[str], Any]) -> Settings:
    """``cls`` from dbt vars: ``get(var)`` returns the var's value (``dbt.config.get``, a dict's
    ``get``). An absent or null number keeps the field's default, except a nullable one, where
    null means None; an absent list keeps the default; a wrong value raises naming the var."""
    types = typing.get_type_hints(cls)
    values = {}
    for setting in fields(cls):
        var = setting.metadata.get("var")
        if var is None:
            continue
        value = _parse(var, types[setting.name], get(var), setting.metadata["nullable"])
        if value is not _UNSET:
            values[setting.name] = value
    return cls(**values)


def segment_settings_from_vars(get: Callable[[str], Any]) -> SegmentSettings:
    return settings_from_vars(SegmentSettings, get)


def prediction_settings_from_vars(get: Callable[[str], Any]) -> PredictionSettings:
    return settings_from_vars(PredictionSettings, get)


# ---------------------------------------------------------------------------------------------
# Paths.
# ---------------------------------------------------------------------------------------------

# name -> default; each is also the environment variable that overrides it
PATH_DEFAULTS: dict[str, Path] = {
    "CA_RAW_DIR": WAREHOUSE_DIR / "raw",
    "CA_WAREHOUSE_PATH": WAREHOUSE_DIR / "build.duckdb",
    "CA_SERVED_PATH": WAREHOUSE_DIR / "analytics.duckdb",
    "CA_ARTIFACTS_DIR": WAREHOUSE_DIR / "artifacts",
    "CA_REPORT_DIR": WAREHOUSE_DIR / "report",
    "CA_EXPORTS_DIR": WAREHOUSE_DIR / "exports",
    "CA_AUDIENCES_DIR": WAREHOUSE_DIR / "audiences",
    "CA_SPARK_DIR": WAREHOUSE_DIR / "spark",
}


def env_path(name: str) -> Path:
    """The path the environment gives for `name` (a CA_* variable), else its default."""
    value = os.environ.get(name)
    return Path(value).absolute() if value else PATH_DEFAULTS[name]


@dataclass(frozen=True)
class PipelinePaths:
    """Where a run reads and writes."""

    raw_dir: Path
    build: Path
    served: Path
    artifacts: Path
    report: Path
    exports: Path

    @classmethod
    def from_env(cls) -> PipelinePaths:
        return cls(
            raw_dir=env_path("CA_RAW_DIR"),
            build=env_path("CA_WAREHOUSE_PATH"),
            served=env_path("CA_SERVED_PATH"),
            artifacts=env_path("CA_ARTIFACTS_DIR"),
            report=env_path("CA_REPORT_DIR"),
            exports=env_path("CA_EXPORTS_DIR"),
        )

    @property
    def lock(self) -> Path:
        """The run lock: beside the build file, one per warehouse."""
        return self.build.with_name(self.build.name + ".run.lock")

    @property
    def prepared_root(self) -> Path:
        """Run-private prepared folders of own-data runs: <this>/<run_id>/."""
        return self.build.parent / "prepared"
