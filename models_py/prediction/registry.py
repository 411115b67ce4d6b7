"""The registry of prediction models: every candidate and baseline, once.

A model is one ``ModelSpec`` in ``MODELS``: its name, whether it is a baseline, how to build it
for each task, and its publish rank (publishable models only; ties in the selection metric go to
the lower rank, the simpler model). The pipeline fits, evaluates and publishes what this registry
lists, and a test checks that the YAML's accepted model names are its names, so adding a model is
adding one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from models_py.prediction.derived_features import (
    BTYD_FEATURES,
    BTYD_PREDICTION,
    CADENCE_FEATURES,
    CALENDAR_FEATURES,
    MBGNBD_FEATURES,
    BtydFeatures,
    CadenceFeatures,
    CalendarFeatures,
    MbgnbdFeatures,
)
from models_py.prediction.models import (
    TASKS,
    BtydBaseline,
    BtydBlend,
    FrameToObject,
    LastWindowBaseline,
    ZeroBaseline,
    column_major,
    preprocessor,
)
from models_py.settings import PredictionSettings

__all__ = [
    "MODELS",
    "BuildContext",
    "ModelSpec",
    "baseline_names",
    "candidate_names",
    "make_model",
    "model_spec",
    "publishable_names",
]


@dataclass(frozen=True)
class BuildContext:
    """What a builder may read: the feature columns and the fitting settings."""

    numeric: list[str]
    categorical: list[str]
    last_window_spend: str
    last_window_orders: str
    settings: PredictionSettings


Builder = Callable[[str, BuildContext], Any]


@dataclass(frozen=True)
class ModelSpec:
    """One prediction model.

    ``build(task, context)`` returns the unfitted estimator for the task (purchase: a classifier
    with predict_proba; spend: a regressor). A candidate's estimator is wrapped in the shared
    preprocessing (imputation, optional scaling, one-hot encoding) and fitted on the features; a
    baseline is used as built and reads the snapshot itself.
    """

    name: str
    is_baseline: bool
    build: Builder
    publish_rank: int | None = None  # None: evaluated for comparison, never published
    scale: bool = False  # candidates: standardise the numeric features
    column_major: bool = False  # candidates: hand the estimator a column-major matrix
    fixed_threshold: bool = False  # purchase threshold 0.5 instead of the best F1 on train
    slow_fit: bool = False  # fitted first, so parallel fits share out the quick ones after
    derived: tuple[str, ...] = ()  # candidates: derived feature sets added (DERIVED_FEATURES)
    blend_btyd: bool = False  # candidates: averaged with BG/NBD + GG (needs derived "btyd")
    default: bool = True  # fitted and evaluated by default (else only when named in settings)
    # Predicts nothing: a floor to beat, published only when no model is within noise of it.
    floor: bool = False

    @property
    def kind(self) -> str:
        return "baseline" if self.is_baseline else "candidate"


def _linear(task: str, context: BuildContext):
    return LogisticRegression(max_iter=2000, C=1.0) if task == "purchase" else LinearRegression()


def _decision_tree(task: str, context: BuildContext):
    cls = DecisionTreeClassifier if task == "purchase" else DecisionTreeRegressor
    return cls(
        max_depth=context.settings.tree_max_depth,
        min_samples_leaf=20,
        random_state=context.settings.random_state,
    )


def _hist_gradient_boosting(task: str, context: BuildContext):
    cls = HistGradientBoostingClassifier if task == "purchase" else HistGradientBoostingRegressor
    return cls(
        max_iter=context.settings.hgb_max_iter,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=context.settings.random_state,
    )


def _non_negative(spend: np.ndarray) -> np.ndarray:
    return np.clip(spend, 0.0, None)


def _unchanged(spend: np.ndarray) -> np.ndarray:
    return spend


def _poisson_boosting(task: str, context: BuildContext):
    """Gradient boosting with a Poisson loss for spend (a log-link mean of a skewed, non-negative
    amount; net refunds count as 0), the usual classifier for purchase."""
    boosting = _hist_gradient_boosting(task, context)
    if task == "purchase":
        return boosting
    return TransformedTargetRegressor(
        regressor=boosting.set_params(loss="poisson"),
        func=_non_negative,
        inverse_func=_unchanged,
        check_inverse=False,
    )


def _btyd_features(context: BuildContext) -> BtydFeatures:
    return BtydFeatures(horizon_days=context.settings.horizon_days)


def _calendar_features(context: BuildContext) -> CalendarFeatures:
    return CalendarFeatures(horizon_days=context.settings.horizon_days)


def _mbgnbd_features(context: BuildContext) -> MbgnbdFeatures:
    return MbgnbdFeatures(horizon_days=context.settings.horizon_days)


def _cadence_features(context: BuildContext) -> CadenceFeatures:
    return CadenceFeatures()


# Feature sets a candidate's pipeline derives from the snapshot in a fitted step of its own:
# name -> (the step's builder, the columns it adds).
DERIVED_FEATURES: dict[str, tuple[Callable[[BuildContext], Any], tuple[str, ...]]] = {
    "btyd": (_btyd_features, BTYD_FEATURES),
    "calendar": (_calendar_features, CALENDAR_FEATURES),
    "mbgnbd": (_mbgnbd_features, MBGNBD_FEATURES),
    "cadence": (_cadence_features, CADENCE_FEATURES),
}


def _zero(task: str, context: BuildContext):
    return ZeroBaseline(task=task)


def _last_window(task: str, context: BuildContext):
    return LastWindowBaseline(
        task=task, spend_col=context.last_window_spend, orders_col=context.last_window_orders
    )


def _btyd(task: str, context: BuildContext):
    return BtydBaseline(task=task, horizon_days=context.settings.horizon_days)


# Registry order is the order models are fitted and listed in; publish ranks order the ties.
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="linear_model", is_baseline=False, build=_linear, publish_rank=1, scale=True
        ),
        ModelSpec(name="decision_tree", is_baseline=False, build=_decision_tree, publish_rank=2),
        ModelSpec(
            name="hist_gradient_boosting",
            is_baseline=False,
            build=_hist_gradient_boosting,
            publish_rank=3,
            column_major=True,
            slow_fit=True,
        ),
        ModelSpec(
            name="hist_gradient_boosting_btyd",
            is_baseline=False,
            build=_hist_gradient_boosting,
            publish_rank=4,
            column_major=True,
            slow_fit=True,
            derived=("btyd", "calendar"),
            default=False,
        ),
        ModelSpec(
            name="btyd_blend",
            is_baseline=False,
            build=_hist_gradient_boosting,
            publish_rank=5,
            column_major=True,
            slow_fit=True,
            derived=("btyd", "calendar"),
            blend_btyd=True,
        ),
        ModelSpec(
            name="btyd_poisson_blend",
            is_baseline=False,
            build=_poisson_boosting,
            publish_rank=6,
            column_major=True,
            slow_fit=True,
            derived=("btyd", "mbgnbd", "cadence", "calendar"),
            blend_btyd=True,
            default=False,
        ),
        ModelSpec(name="zero", is_baseline=True, build=_zero, fixed_threshold=True, floor=True),
        ModelSpec(name="last_window", is_baseline=True, build=_last_window, fixed_threshold=True),
        ModelSpec(name="btyd", is_baseline=True, build=_btyd, publish_rank=0),
    )
}


def model_spec(name: str) -> ModelSpec:
    """The registry entry of ``name``; an unknown name raises listing the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; expected one of {tuple(MODELS)}") from None


def candidate_names(every: bool = False) -> tuple[str, ...]:
    """The candidates fitted by default (``every``: also those fitted only when named)."""
    return tuple(
        name for name, spec in MODELS.items() if not spec.is_baseline and (every or spec.default)
    )


def baseline_names() -> tuple[str, ...]:
    return tuple(name for name, spec in MODELS.items() if spec.is_baseline)


def publishable_names() -> tuple[str, ...]:
    """Models that may be published, simplest (lowest publish rank) first."""
    ranked = [spec for spec in MODELS.values() if spec.publish_rank is not None]
    return tuple(spec.name for spec in sorted(ranked, key=lambda spec: spec.publish_rank))


def make_model(name: str, task: str, context: BuildContext):
    """A fresh, unfitted model by registry name for a task."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    spec = model_spec(name)
    unknown = sorted(set(spec.derived) - set(DERIVED_FEATURES))
    if unknown:
        raise ValueError(f"model {name!r}: unknown derived features {unknown}")
    if spec.blend_btyd and ("btyd" not in spec.derived or spec.scale):
        raise ValueError(
            f"model {name!r}: a BTYD blend needs the derived 'btyd' features, unscaled"
        )
    estimator = spec.build(task, context)
    if spec.is_baseline:
        return estimator
    steps: list = [("to_object", FrameToObject(context.categorical))]
    added: list[str] = []
    for derived in spec.derived:
        builder, columns = DERIVED_FEATURES[derived]
        steps.append((f"{derived}_features", builder(context)))
        added += [c for c in columns if c not in added]
    # Derived columns first: never all missing, so the imputer keeps them at these positions.
    numeric = [*added, *(c for c in context.numeric if c not in added)]
    steps.append(("features", preprocessor(numeric, context.categorical, spec.scale)))
    if spec.blend_btyd:
        column = numeric.index(BTYD_PREDICTION[task])
        estimator = BtydBlend(estimator, task=task, btyd_column=column)
    if spec.column_major:
        steps.append(
            ("column_major", FunctionTransformer(column_major, feature_names_out="one-to-one"))
        )
    return Pipeline([*steps, ("model", estimator)])
