"""Customer segmentation with K-Means: stable, named segments from behavioural features.

The core takes and returns pandas DataFrames and knows nothing about dbt:

- `FeaturePreparer` imputes, log-transforms and standardises the feature columns;
- `select_k` fits K-Means for every k of a range and reports inertia and silhouette;
- `CustomerSegmenter` fits the final model, orders the clusters canonically and names them;
  `model_table` turns it into the stored parameters (one row per segment and feature);
- `assign_segments` scores customers from those stored parameters only, exactly as the SQL model
  `customer_segments_sql` does, so the warehouse can score without Python.

Names are true of their segments: a seed rule's name when the segment's evidence (its profile
relative to all featured customers, evidence.py) meets the rule's thresholds, else a name built
from the profile (naming.py); unique within a run. Segment ids are canonical: 1 is the cluster
with the highest mean monetary, then by mean frequency, then by the smallest customer_id in the
cluster, so the same data gives the same ids and names whatever K-Means' internal labels are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from models_py.segmentation.definitions import SegmentDefinition, load_segment_definitions
from models_py.segmentation.evidence import EVIDENCE_COLUMNS, EVIDENCE_INPUTS, segment_evidence
from models_py.segmentation.naming import name_segments
from models_py.segmentation.stability import stability
from models_py.settings import SegmentSettings

ID_COLUMN = "customer_id"

# The columns segment ids are ordered by (in original units, with the smallest customer_id).
ORDER_COLUMNS: tuple[str, ...] = ("monetary", "frequency")

MODEL_TABLE_COLUMNS: tuple[str, ...] = (
    "run_id",
    "fitted_at",
    "as_of_date",
    "segment_id",
    "segment_name",
    "feature",
    "feature_index",
    "transform",
    "impute_value",
    "scaler_mean",
    "scaler_scale",
    "centroid_scaled",
    "centroid_original",
    "segment_customers",
    "k",
    "k_selection",
    "silhouette",
    "inertia",
    "feature_list",
    "random_seed",
    "n_init",
    "algorithm",
    "fitted_rows",
    "naming_rule",
    "naming_reason",
    *EVIDENCE_COLUMNS,
)


def check_features(
    df: pd.DataFrame, columns: Sequence[str], table: str = "customer_features"
) -> None:
    """Raise a clear error if the id or a feature is missing or not numeric, or ids repeat."""
    missing = [c for c in (ID_COLUMN, *columns) if c not in df.columns]
    if missing:
        raise ValueError(f"{table}: missing column(s) {missing}")
    for column in columns:
        if not pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]):
            raise ValueError(
                f"{table}.{column}: expected a numeric column, got dtype {df[column].dtype}"
            )
        values = df[column].to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            row = df.loc[bad, ID_COLUMN].iloc[0]
            raise ValueError(f"{table}.{column}: infinite value for {ID_COLUMN}={row}")
    if df[ID_COLUMN].isna().any():
        raise ValueError(f"{table}.{ID_COLUMN}: null customer id")
    duplicated = df[ID_COLUMN].duplicated()
    if duplicated.any():
        raise ValueError(
            f"{table}.{ID_COLUMN}: duplicate id {df.loc[duplicated, ID_COLUMN].iloc[0]}"
        )


def profile_columns(definitions: Sequence[SegmentDefinition] = ()) -> list[str]:
    """The columns segments are ordered and named by (the evidence's inputs, whatever the
    ``definitions``: their thresholds are on the evidence)."""
    return list(dict.fromkeys([*ORDER_COLUMNS, *EVIDENCE_INPUTS]))


def needed_columns(
    available: Sequence[str],
    features: Sequence[str],
    definitions: Sequence[SegmentDefinition] = (),
) -> list[str]:
    """The columns of customer_features the segmentation reads (key, cutoff, features, and, given
    the segment ``definitions``, the columns segments are ordered and named by), among those
    ``available``: a dbt model loads only these, which keeps a million customers small in memory.
    A missing feature is left for check_features to report."""
    naming = profile_columns(definitions) if definitions else []
    wanted = dict.fromkeys([ID_COLUMN, "as_of_date", *features, *naming])
    return [column for column in wanted if column in set(available)]


def sorted_by_id(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in customer_id order: K-Means' result depends on row order, the warehouse's does not."""
    return df.sort_values(ID_COLUMN, kind="mergesort").reset_index(drop=True)


def _log1p_clipped(values: np.ndarray) -> np.ndarray:
    # The SQL model does the same: ln(1 + greatest(x, 0)).
    return np.log1p(np.maximum(values, 0.0))


class FeaturePreparer:
    """Impute nulls with the training median, log1p the skewed features, standardise.

    Learned: `impute_values_`, `mean_`, `scale_` (one value per feature, in the features' order;
    mean and scale are of the transformed values; a constant feature gets scale 1).
    """

    def __init__(self, features: Sequence[str], log_features: Sequence[str] = ()) -> None:
        self.features = features
        self.log_features = log_features

    def _transformed(self, df: pd.DataFrame, impute: np.ndarray) -> np.ndarray:
        raw = df[list(self.features)].to_numpy(dtype=float, na_value=np.nan)
        raw = np.where(np.isnan(raw), impute, raw)
        logged = np.array([f in set(self.log_features) for f in self.features])
        raw[:, logged] = _log1p_clipped(raw[:, logged])
        return raw

    def fit(self, df: pd.DataFrame) -> FeaturePreparer:
        check_features(df, self.features)
        raw = df[list(self.features)].to_numpy(dtype=float, na_value=np.nan)
        impute = np.nanmedian(raw, axis=0) if len(raw) else np.zeros(len(self.features))
        self.impute_values_ = np.where(np.isnan(impute), 0.0, impute)
        values = self._transformed(df, self.impute_values_)
        self.mean_ = values.mean(axis=0)
        scale = values.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        check_features(df, self.features)
        return (self._transformed(df, self.impute_values_) - self.mean_) / self.scale_

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """Scaled values back to original units (log features through expm1)."""
        values = X * self.scale_ + self.mean_
        logged = np.array([f in set(self.log_features) for f in self.features])
        values[:, logged] = np.expm1(values[:, logged])
        return values


def _kmeans(k: int, n_rows: int, settings: SegmentSettings) -> KMeans | MiniBatchKMeans:
    if n_rows > settings.minibatch_threshold:
        return MiniBatchKMeans(
            n_clusters=k,
            n_init=settings.n_init,
            random_state=settings.random_state,
            batch_size=4096,
        )
    return KMeans(n_clusters=k, n_init=settings.n_init, random_state=settings.random_state)


def _silhouette(X: np.ndarray, labels: np.ndarray, settings: SegmentSettings) -> float:
    sample = min(settings.silhouette_sample_size, len(X))
    # Undefined for one segment, or for as many segments as customers (each alone).
    if not 2 <= len(np.unique(labels)) < sample:
        return float("nan")
    return float(
        silhouette_score(X, labels, sample_size=sample, random_state=settings.random_state)
    )


# Above this many customers the k-selection curve is fitted on a seeded sample: it only ranks k.
K_SELECTION_MAX_ROWS = 100_000

# Above this many customers the centroids are fitted on a seeded sample and every customer is
# assigned to the nearest: MiniBatchKMeans' step cost grows with all rows (docs/benchmarks.md).
SEGMENT_FIT_MAX_ROWS = 1_000_000


def _seeded_sample(X: np.ndarray, max_rows: int, random_state: int) -> np.ndarray:
    """``max_rows`` rows of ``X`` drawn with ``random_state``, in their order; all when fewer."""
    if len(X) <= max_rows:
        return X
    rng = np.random.default_rng(random_state)
    return X[np.sort(rng.choice(len(X), size=max_rows, replace=False))]


# A k is acceptable when its silhouette is within this of the best; the most stable one wins.
SILHOUETTE_TOLERANCE = 0.05


def k_selection_method(settings: SegmentSettings) -> str:
    """'fixed' (segment_k set) or 'stability' (k chosen from the data)."""
    return "fixed" if settings.n_clusters is not None else "stability"


def _choose_k(table: pd.DataFrame, settings: SegmentSettings) -> int:
    """The fixed n_clusters (capped at the largest k fitted), else the most stable k among those
    whose silhouette is within SILHOUETTE_TOLERANCE of the best (ties: the smaller k)."""
    if settings.n_clusters is not None:
        return min(settings.n_clusters, int(table["k"].max()))
    silhouette = table["silhouette"]
    acceptable = (
        silhouette >= silhouette.max() - SILHOUETTE_TOLERANCE
        if silhouette.notna().any()
        else pd.Series(True, index=table.index)
    )
    candidates = table[acceptable].assign(score=table["stability_mean"].fillna(-np.inf).round(3))
    return int(candidates.sort_values(["score", "k"], ascending=[False, True])["k"].iloc[0])


def _curve_row(X: np.ndarray, k: int, settings: SegmentSettings) -> dict:
    model = _kmeans(k, len(X), settings).fit(X)
    stability_mean, stability_std = stability(X, k, settings.random_state)
    return {
        "k": k,
        "inertia": float(model.inertia_),
        "silhouette": _silhouette(X, model.labels_, settings),
        "stability_mean": stability_mean,
        "stability_std": stability_std,
        "fitted_rows": len(X),
        "algorithm": type(model).__name__,
    }


def select_k(
    df: pd.DataFrame,
    settings: SegmentSettings,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Fit every k of [k_min, k_max] (plus a fixed n_clusters outside it) on the prepared features
    (on a seeded sample of `K_SELECTION_MAX_ROWS` customers when there are more).

    Returns one row per k: `k`, `inertia`, `silhouette` (on a seeded sample), `stability_mean`
    and `stability_std` (adjusted Rand index between bootstrap refits, stability.py),
    `is_selected`, `k_selection`, `fitted_rows`, `algorithm` (of the rows fitted). The selected
    k is `n_clusters` when fixed, else the most stable among the k with an acceptable silhouette
    (`_choose_k`). ``progress``, when given, receives one line per fitted k.
    """
    data = sorted_by_id(df)
    X = FeaturePreparer(settings.features, settings.log_features).fit(data).transform(data)
    X = _seeded_sample(X, K_SELECTION_MAX_ROWS, settings.random_state)
    ks = set(range(settings.k_min, settings.k_max + 1))
    if settings.n_clusters is not None:
        ks.add(settings.n_clusters)
    rows = []
    # Fewer customers than every k asked for: one segment per customer (run_warnings says so).
    todo = [k for k in sorted(ks) if k <= len(X)] or ([len(X)] if len(X) else [])
    for done, k in enumerate(todo, start=1):
        started = time.perf_counter()
        with threadpool_limits(limits=settings.n_threads):
            rows.append(_curve_row(X, k, settings))
        if progress is not None:
            progress(
                f"[{done}/{len(todo)}] k={k} fitted on {len(X):,} customers: "
                f"{time.perf_counter() - started:.1f}s"
            )
    if not rows:
        raise ValueError(f"customer_features: {len(X)} customers, too few for k >= {min(ks)}")
    table = pd.DataFrame(rows)
    table["is_selected"] = table["k"] == _choose_k(table, settings)
    table["k_selection"] = k_selection_method(settings)
    return table


class CustomerSegmenter:
    """K-Means segments with canonical ids and names.

    Learned: `k_`, `k_selection_` (DataFrame from `select_k`, or None when k was fixed),
    `preparer_`, `centroids_` (scaled space, row i = segment_id i + 1), `segment_names_`,
    `segment_sizes_`, `labels_` (segment_id per customer of the fit data, in customer_id order),
    `customer_ids_`, `inertia_`, `silhouette_`, `algorithm_`, `fitted_rows_` (customers the
    centroids were fitted on: all, or a seeded sample of `SEGMENT_FIT_MAX_ROWS`).
    ``segment_definitions``: the naming rules (None: the seed file's).
    """

    def __init__(
        self,
        settings: SegmentSettings | None = None,
        segment_definitions: Sequence[SegmentDefinition] | None = None,
    ) -> None:
        self.settings = SegmentSettings() if settings is None else settings
        self.segment_definitions = segment_definitions

    def fit(self, df: pd.DataFrame) -> CustomerSegmenter:
        settings = self.settings
        definitions = (
            load_segment_definitions()
            if self.segment_definitions is None
            else tuple(self.segment_definitions)
        )
        profiled = profile_columns(definitions)
        check_features(df, list(dict.fromkeys([*settings.features, *profiled])))
        data = sorted_by_id(df)
        if settings.n_clusters is None:
            self.k_selection_ = select_k(data, settings)
            self.k_ = int(self.k_selection_.loc[self.k_selection_["is_selected"], "k"].iloc[0])
        else:
            self.k_selection_ = None
            self.k_ = settings.n_clusters
        if len(data) < self.k_:
            raise ValueError(f"customer_features: {len(data)} customers, fewer than k={self.k_}")
        self.preparer_ = FeaturePreparer(settings.features, settings.log_features).fit(data)
        X = self.preparer_.transform(data)
        fit_rows = _seeded_sample(X, SEGMENT_FIT_MAX_ROWS, settings.random_state)
        with threadpool_limits(limits=settings.n_threads):
            model = _kmeans(self.k_, len(fit_rows), settings).fit(fit_rows)
            raw_labels = np.asarray(model.labels_ if fit_rows is X else model.predict(X))
        self.algorithm_ = type(model).__name__
        self.fitted_rows_ = len(fit_rows)
        if len(np.unique(raw_labels)) < self.k_:
            raise ValueError(f"K-Means left a cluster empty with k={self.k_}: lower k")

        # Canonical order: mean monetary desc, mean frequency desc, smallest customer_id.
        profile = data[list(ORDER_COLUMNS)].astype(float).groupby(raw_labels).mean()
        profile["first_id"] = data[ID_COLUMN].astype(str).groupby(raw_labels).min()
        profile["raw"] = profile.index
        profile = profile.sort_values(
            ["monetary", "frequency", "first_id"], ascending=[False, False, True], kind="mergesort"
        ).reset_index(drop=True)

        self.centroids_ = np.asarray(model.cluster_centers_)[profile["raw"].to_numpy()]
        self.customer_ids_ = data[ID_COLUMN].to_numpy()
        # Final labels are the nearest stored centroid, the rule assign_segments and SQL apply.
        self.labels_, _ = _nearest(X, self.centroids_)
        self.segment_sizes_ = np.bincount(self.labels_ - 1, minlength=self.k_)
        if (self.segment_sizes_ == 0).any():
            raise ValueError(f"a segment is empty after assignment with k={self.k_}: lower k")
        self.inertia_ = float(((X - self.centroids_[self.labels_ - 1]) ** 2).sum())
        self.silhouette_ = _silhouette(X, self.labels_, settings)
        self._name(data, definitions)
        return self

    def _name(self, data: pd.DataFrame, definitions: Sequence[SegmentDefinition]) -> None:
        """Evidence of the final segments and the names it earns (naming.py)."""
        settings = self.settings
        self.evidence_ = segment_evidence(
            data, self.labels_, settings.horizon_days, settings.lapse_gap_multiple
        ).reset_index(drop=True)
        named = name_segments(self.evidence_, definitions)
        self.segment_names_ = [n.segment_name for n in named]
        self.naming_rules_ = [n.naming_rule for n in named]
        self.naming_reasons_ = [n.reason for n in named]

    def model_table(self, run_id: str, fitted_at: object, as_of_date: object) -> pd.DataFrame:
        """The stored parameters: one row per segment and feature (see MODEL_TABLE_COLUMNS)."""
        original = self.preparer_.inverse_transform(self.centroids_.copy())
        rows = []
        for s in range(self.k_):
            for j, feature in enumerate(self.settings.features):
                rows.append(
                    {
                        "run_id": run_id,
                        "fitted_at": fitted_at,
                        "as_of_date": as_of_date,
                        "segment_id": s + 1,
                        "segment_name": self.segment_names_[s],
                        "feature": feature,
                        "feature_index": j + 1,
                        "transform": "log1p"
                        if feature in set(self.settings.log_features)
                        else "none",
                        "impute_value": float(self.preparer_.impute_values_[j]),
                        "scaler_mean": float(self.preparer_.mean_[j]),
                        "scaler_scale": float(self.preparer_.scale_[j]),
                        "centroid_scaled": float(self.centroids_[s, j]),
                        "centroid_original": float(original[s, j]),
                        "segment_customers": int(self.segment_sizes_[s]),
                        "k": int(self.k_),
                        "k_selection": k_selection_method(self.settings),
                        "silhouette": self.silhouette_,
                        "inertia": self.inertia_,
                        "feature_list": ",".join(self.settings.features),
                        "random_seed": int(self.settings.random_state),
                        "n_init": int(self.settings.n_init),
                        "algorithm": self.algorithm_,
                        "fitted_rows": int(self.fitted_rows_),
                        "naming_rule": self.naming_rules_[s],
                        "naming_reason": self.naming_reasons_[s],
                        **self.evidence_.iloc[s].to_dict(),
                    }
                )
        return pd.DataFrame(rows, columns=list(MODEL_TABLE_COLUMNS))


def _nearest(X: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based nearest centroid (ties: the lower segment_id) and the Euclidean distance to it."""
    squared = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    best = squared.argmin(axis=1)
    return best + 1, np.sqrt(squared[np.arange(len(X)), best])


def assign_segments(
    df: pd.DataFrame, model_table: pd.DataFrame, chunk_size: int = 100_000
) -> pd.DataFrame:
    """Score customers with stored parameters only (no refit): impute, transform, standardise, pick
    the nearest centroid. Returns `customer_id`, `segment_id`, `segment_name`,
    `distance_to_centroid` in customer_id order."""
    params = model_table.sort_values(["segment_id", "feature_index"])
    first = params[params["segment_id"] == params["segment_id"].min()]
    features = first["feature"].tolist()
    check_features(df, features)
    names = params.drop_duplicates("segment_id").set_index("segment_id")["segment_name"]
    k = len(names)
    centroids = params["centroid_scaled"].to_numpy(dtype=float).reshape(k, len(features))
    impute = first["impute_value"].to_numpy(dtype=float)
    mean = first["scaler_mean"].to_numpy(dtype=float)
    scale = first["scaler_scale"].to_numpy(dtype=float)
    logged = (first["transform"] == "log1p").to_numpy()
    segment_ids = names.index.to_numpy()

    data = sorted_by_id(df)
    labels = np.empty(len(data), dtype=int)
    distances = np.empty(len(data), dtype=float)
    for start in range(0, len(data), chunk_size):
        part = data.iloc[start : start + chunk_size]
        raw = part[features].to_numpy(dtype=float, na_value=np.nan)
        raw = np.where(np.isnan(raw), impute, raw)
        raw[:, logged] = _log1p_clipped(raw[:, logged])
        best, dist = _nearest((raw - mean) / scale, centroids)
        labels[start : start + len(part)] = segment_ids[best - 1]
        distances[start : start + len(part)] = dist
    return pd.DataFrame(
        {
            ID_COLUMN: data[ID_COLUMN].to_numpy(),
            "segment_id": labels,
            "segment_name": names.loc[labels].to_numpy(),
            "distance_to_centroid": distances,
        }
    )
