"""Unit tests of models_py.segmentation.kmeans on small synthetic customer_features frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import synthetic_features
from sklearn.metrics import adjusted_rand_score

from models_py.segmentation.definitions import SEED_PATH, load_segment_definitions
from models_py.segmentation.kmeans import (
    SILHOUETTE_TOLERANCE,
    CustomerSegmenter,
    FeaturePreparer,
    SegmentSettings,
    assign_segments,
    needed_columns,
    select_k,
)
from models_py.settings import segment_settings_from_vars as settings_from_config


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return synthetic_features()


@pytest.fixture(scope="module")
def fitted(features: pd.DataFrame) -> CustomerSegmenter:
    return CustomerSegmenter(SegmentSettings(n_clusters=5, random_state=3, n_init=4)).fit(features)


def model_table(segmenter: CustomerSegmenter) -> pd.DataFrame:
    return segmenter.model_table("run-1", pd.Timestamp("2026-01-01"), pd.Timestamp("2025-12-31"))


def test_fit_returns_self_and_learns_trailing_underscore_state(features: pd.DataFrame) -> None:
    segmenter = CustomerSegmenter(SegmentSettings(n_clusters=3, n_init=2))
    assert segmenter.fit(features) is segmenter
    assert segmenter.k_ == 3
    assert segmenter.centroids_.shape == (3, len(segmenter.settings.features))


def test_same_data_gives_same_segments_whatever_the_row_order(features: pd.DataFrame) -> None:
    first = CustomerSegmenter(SegmentSettings(n_clusters=5, random_state=3, n_init=4)).fit(features)
    shuffled = features.sample(frac=1.0, random_state=11)
    second = CustomerSegmenter(SegmentSettings(n_clusters=5, random_state=3, n_init=4)).fit(
        shuffled
    )
    a = assign_segments(features, model_table(first))
    b = assign_segments(features, model_table(second))
    pd.testing.assert_frame_equal(a, b)
    assert first.segment_names_ == second.segment_names_


def test_every_customer_assigned_once_and_no_segment_empty(
    features: pd.DataFrame, fitted: CustomerSegmenter
) -> None:
    assigned = assign_segments(features, model_table(fitted))
    assert assigned["customer_id"].is_unique
    assert set(assigned["customer_id"]) == set(features["customer_id"])
    assert set(assigned["segment_id"]) == set(range(1, fitted.k_ + 1))
    assert (assigned["distance_to_centroid"] >= 0).all()


def test_assignment_from_stored_parameters_matches_the_fit(
    features: pd.DataFrame, fitted: CustomerSegmenter
) -> None:
    assigned = assign_segments(features, model_table(fitted))
    assert (assigned["segment_id"].to_numpy() == fitted.labels_).all()
    sizes = assigned["segment_id"].value_counts().sort_index().to_numpy()
    assert (sizes == fitted.segment_sizes_).all()


def test_names_unique_and_match_the_latent_types(
    features: pd.DataFrame, fitted: CustomerSegmenter
) -> None:
    assert len(set(fitted.segment_names_)) == fitted.k_
    assigned = assign_segments(features, model_table(fitted)).merge(features, on="customer_id")
    assert adjusted_rand_score(assigned["customer_type"], assigned["segment_id"]) > 0.6
    majority = assigned.groupby("customer_type")["segment_name"].agg(lambda s: s.mode()[0])
    assert majority["new"] == "New customers"
    assert majority["vip"] == "High-value"
    assert majority["lapsing"] == "At-risk"


def test_segment_ids_are_canonical_by_mean_monetary(
    features: pd.DataFrame, fitted: CustomerSegmenter
) -> None:
    assigned = assign_segments(features, model_table(fitted)).merge(features, on="customer_id")
    means = assigned.groupby("segment_id")["monetary"].mean().sort_index().to_numpy()
    assert (np.diff(means) < 0).all()


def test_model_table_has_one_row_per_segment_and_feature(fitted: CustomerSegmenter) -> None:
    table = model_table(fitted)
    assert len(table) == fitted.k_ * len(fitted.settings.features)
    assert not table.duplicated(["segment_id", "feature"]).any()
    assert table["feature_list"].nunique() == 1
    # Centroids in original units invert the scaling (log features through expm1).
    row = table[(table["feature"] == "recency_days") & (table["segment_id"] == 1)].iloc[0]
    scaled = row["centroid_scaled"] * row["scaler_scale"] + row["scaler_mean"]
    assert row["centroid_original"] == pytest.approx(np.expm1(scaled))


def test_nulls_are_imputed_with_the_training_median(features: pd.DataFrame) -> None:
    with_null = features.copy()
    with_null.loc[0, "recency_days"] = np.nan
    preparer = FeaturePreparer(["recency_days"], ["recency_days"]).fit(with_null)
    assert preparer.impute_values_[0] == pytest.approx(with_null["recency_days"].median())
    segmenter = CustomerSegmenter(SegmentSettings(n_clusters=4, n_init=2)).fit(with_null)
    assigned = assign_segments(with_null, model_table(segmenter))
    assert assigned["segment_id"].notna().all()


def test_auto_k_picks_the_most_stable_k_with_an_acceptable_silhouette(features) -> None:
    settings = SegmentSettings(n_clusters=None, k_min=2, k_max=6, n_init=2)
    curve = select_k(features, settings)
    assert curve["k"].tolist() == [2, 3, 4, 5, 6]
    assert curve["is_selected"].sum() == 1
    assert (curve["k_selection"] == "stability").all()
    assert curve["stability_mean"].between(-1, 1).all() and (curve["stability_std"] >= 0).all()
    acceptable = curve[curve["silhouette"] >= curve["silhouette"].max() - SILHOUETTE_TOLERANCE]
    chosen = curve.loc[curve["is_selected"]].iloc[0]
    assert chosen["k"] in set(acceptable["k"])
    assert chosen["stability_mean"] == pytest.approx(acceptable["stability_mean"].max(), abs=1e-3)
    assert (np.diff(curve["inertia"]) < 0).all()
    pd.testing.assert_frame_equal(curve, select_k(features, settings))  # seeded resamples
    segmenter = CustomerSegmenter(settings).fit(features)
    assert segmenter.k_ == chosen["k"]
    fixed = select_k(features, SegmentSettings(n_clusters=3, k_min=2, k_max=4, n_init=2))
    assert fixed.loc[fixed["is_selected"], "k"].item() == 3
    assert (fixed["k_selection"] == "fixed").all()


def test_minibatch_above_the_threshold_still_assigns_everyone(features: pd.DataFrame) -> None:
    segmenter = CustomerSegmenter(
        SegmentSettings(n_clusters=5, n_init=2, minibatch_threshold=100)
    ).fit(features)
    assert segmenter.algorithm_ == "MiniBatchKMeans"
    assigned = assign_segments(features, model_table(segmenter), chunk_size=37)
    assert assigned["segment_id"].nunique() == 5


def test_a_segment_added_to_the_seed_names_a_cluster(features, tmp_path) -> None:
    """A new segment is one seed row: a rule tried before the others, for segments well above
    the median in both spend and orders, names the segment that meets it."""
    seed = pd.read_csv(SEED_PATH)
    seed["display_order"] += 1
    row = {
        "segment_name": "Loyal big spenders",
        "naming_rule": "loyal_big_spenders",
        "name_kind": "rule",
        "rank_by": "revenue_lift",
        "rank_pick": "max",
        "min_spend_vs_median": 3,
        "min_orders_vs_median": 2,
        "marketing_action": "Thank them personally.",
        "display_order": 1,
    }
    path = tmp_path / "segment_definitions.csv"
    pd.concat([pd.DataFrame([row]), seed]).to_csv(path, index=False)
    definitions = load_segment_definitions(path)
    settings = SegmentSettings(n_clusters=5, random_state=3, n_init=4)
    segmenter = CustomerSegmenter(settings, segment_definitions=definitions).fit(features)
    evidence = segmenter.evidence_
    meets = (evidence["spend_vs_median"] >= 3) & (evidence["orders_vs_median"] >= 2)
    assert meets.any(), "the synthetic data should have loyal big spenders"
    named = segmenter.segment_names_.index("Loyal big spenders")
    assert meets.iloc[named]
    assert segmenter.naming_rules_[named] == "loyal_big_spenders"


def test_seed_without_a_fallback_row_is_refused(tmp_path) -> None:
    seed = pd.read_csv(SEED_PATH)
    path = tmp_path / "segment_definitions.csv"
    seed[seed["naming_rule"] != "fallback"].to_csv(path, index=False)
    with pytest.raises(ValueError, match=f"{path}: exactly one 'fallback' row"):
        load_segment_definitions(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.drop(columns="monetary"), r"missing column\(s\) \['monetary'\]"),
        (lambda df: df.assign(frequency="x"), r"customer_features\.frequency: expected a numeric"),
        (lambda df: pd.concat([df, df.head(1)]), r"duplicate id C\d+"),
        (lambda df: df.assign(aov=np.inf), r"customer_features\.aov: infinite value"),
    ],
)
def test_bad_input_gets_a_clear_error(features: pd.DataFrame, change, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CustomerSegmenter(SegmentSettings(n_clusters=3, n_init=1)).fit(change(features))


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="log features"):
        SegmentSettings(features=("monetary",), log_features=("aov",))
    with pytest.raises(ValueError, match="k_min"):
        SegmentSettings(k_min=5, k_max=3)


def test_settings_read_from_the_rendered_dbt_config() -> None:
    config = {
        "segment_features": "recency_days,monetary,aov",
        "segment_log_features": "monetary",
        "segment_k": None,  # a null dbt var: choose k from the data
        "segment_k_min": "3",
        "segment_k_max": 6,
        "segment_random_seed": 7,
    }
    settings = settings_from_config(config.get)
    assert settings.features == ("recency_days", "monetary", "aov")
    assert settings.log_features == ("monetary",)
    assert settings.n_clusters is None
    assert (settings.k_min, settings.k_max, settings.random_state) == (3, 6, 7)
    assert settings.n_init == SegmentSettings().n_init
    assert settings_from_config({"segment_k": 4}.get).n_clusters == 4
    with pytest.raises(ValueError, match="segment_k_min: expected a whole number"):
        settings_from_config({"segment_k_min": "three"}.get)


def test_k_selection_fits_a_seeded_sample_of_large_data(monkeypatch) -> None:
    import models_py.segmentation.kmeans as segmentation

    features = synthetic_features(100, seed=3)
    settings = SegmentSettings(n_clusters=None, k_min=2, k_max=3, n_init=2)
    half = len(features) // 2
    monkeypatch.setattr(segmentation, "K_SELECTION_MAX_ROWS", half)
    sampled = select_k(features, settings)
    assert (sampled["fitted_rows"] == half).all()
    pd.testing.assert_frame_equal(sampled, select_k(features, settings))  # same sample each time
    monkeypatch.setattr(segmentation, "K_SELECTION_MAX_ROWS", len(features))
    assert (select_k(features, settings)["fitted_rows"] == len(features)).all()


def test_k_selection_names_the_algorithm_of_the_rows_it_fitted(monkeypatch) -> None:
    """A curve fitted on a sample below the minibatch threshold is KMeans, even when the data
    are above it."""
    import models_py.segmentation.kmeans as segmentation

    features = synthetic_features(100, seed=3)
    settings = SegmentSettings(n_clusters=None, k_min=2, k_max=3, n_init=2, minibatch_threshold=60)
    assert set(select_k(features, settings)["algorithm"]) == {"MiniBatchKMeans"}
    monkeypatch.setattr(segmentation, "K_SELECTION_MAX_ROWS", 50)
    assert set(select_k(features, settings)["algorithm"]) == {"KMeans"}


def test_segments_fit_on_a_seeded_sample_of_large_data_and_assign_everyone(
    features: pd.DataFrame, monkeypatch
) -> None:
    """Above SEGMENT_FIT_MAX_ROWS the centroids are fitted on a seeded sample; every customer is
    still assigned, to its nearest stored centroid, and the model table says how many were
    fitted."""
    import models_py.segmentation.kmeans as segmentation

    half = len(features) // 2
    monkeypatch.setattr(segmentation, "SEGMENT_FIT_MAX_ROWS", half)
    sampled = CustomerSegmenter(SegmentSettings(n_clusters=4, random_state=3, n_init=2)).fit(
        features
    )
    assert sampled.fitted_rows_ == half
    assert len(sampled.labels_) == len(features) and (sampled.segment_sizes_ > 0).all()
    assigned = assign_segments(features, model_table(sampled))
    by_id = dict(zip(sampled.customer_ids_, sampled.labels_, strict=True))
    assert (assigned["segment_id"].to_numpy() == assigned["customer_id"].map(by_id)).all()
    assert (model_table(sampled)["fitted_rows"] == half).all()
    again = CustomerSegmenter(SegmentSettings(n_clusters=4, random_state=3, n_init=2)).fit(features)
    np.testing.assert_array_equal(again.centroids_, sampled.centroids_)  # the same sample
    monkeypatch.setattr(segmentation, "SEGMENT_FIT_MAX_ROWS", len(features))
    whole = CustomerSegmenter(SegmentSettings(n_clusters=4, random_state=3, n_init=2)).fit(features)
    assert whole.fitted_rows_ == len(features)
    assert not np.array_equal(whole.centroids_, sampled.centroids_)


def test_needed_columns_keep_what_fitting_and_naming_read_and_nothing_else():
    available = ["customer_id", "as_of_date", "city", "aov", "monetary", "frequency"]
    available += ["tenure_days", "recency_days", "favourite_category"]
    got = needed_columns(available, ["aov", "no_such_feature"], load_segment_definitions())
    expected = ["customer_id", "as_of_date", "aov", "monetary", "frequency"]
    expected += ["recency_days", "tenure_days"]
    assert got == expected
    # Scoring reads the features only.
    assert needed_columns(available, ["aov"]) == ["customer_id", "as_of_date", "aov"]
