"""Segmentation end to end: the tables `dbt build` writes on the small generated warehouse."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from models_py.segmentation.definitions import SEED_PATH
from models_py.segmentation.kmeans import SILHOUETTE_TOLERANCE

pytestmark = pytest.mark.integration


def test_python_and_sql_scoring_agree_for_every_customer(built_warehouse) -> None:
    python = built_warehouse.query("select * from customer_segments order by customer_id")
    sql = built_warehouse.query("select * from customer_segments_sql order by customer_id")
    assert len(python) > 0
    assert python["customer_id"].tolist() == sql["customer_id"].tolist()
    assert (python["segment_id"] == sql["segment_id"]).all()
    assert (python["segment_name"] == sql["segment_name"]).all()
    assert python["distance_to_centroid"].to_numpy() == pytest.approx(
        sql["distance_to_centroid"].to_numpy(), abs=1e-9
    )


def test_every_customer_in_exactly_one_non_empty_uniquely_named_segment(built_warehouse) -> None:
    features = built_warehouse.query("select customer_id from customer_features")
    segments = built_warehouse.query("select * from customer_segments")
    model = built_warehouse.query("select * from segment_model")
    assert segments["customer_id"].is_unique
    assert set(segments["customer_id"]) == set(features["customer_id"])
    k = model["k"].iloc[0]
    assert sorted(segments["segment_id"].unique()) == list(range(1, k + 1))
    names = model.drop_duplicates("segment_id")["segment_name"]
    assert names.is_unique and len(names) == k
    assert len(model) == k * model["feature"].nunique()
    assert model["run_id"].nunique() == 1
    assert set(segments["run_id"]) == set(model["run_id"])


def test_profiles_add_up_and_carry_an_action(built_warehouse) -> None:
    profiles = built_warehouse.query("select * from segment_profiles")
    segments = built_warehouse.query(
        "select segment_id, count(*) as n from customer_segments group by 1"
    )
    merged = profiles.merge(segments, on="segment_id")
    assert (merged["customers"] == merged["n"]).all()
    assert profiles["share_of_customers"].sum() == pytest.approx(1.0)
    assert profiles["share_of_revenue"].sum() == pytest.approx(1.0)
    assert profiles["recommended_action"].str.len().min() > 20
    assert (profiles["median_tenure_days"] >= 0).all()


def test_segments_recover_the_generators_customer_types(built_warehouse) -> None:
    truth = pd.read_csv(built_warehouse.raw_dir / "ground_truth" / "customer_types.csv")
    segments = built_warehouse.query("select customer_id, segment_id from customer_segments")
    both = segments.merge(truth, on="customer_id", how="inner")
    assert len(both) == len(segments)  # every segmented customer has a known type
    ari = adjusted_rand_score(both["customer_type"], both["segment_id"])
    assert ari >= 0.5, f"adjusted Rand index vs ground truth {ari:.3f}"


def test_k_selection_curve_is_kept(built_warehouse) -> None:
    curve = built_warehouse.query("select * from segment_k_selection order by k")
    model = built_warehouse.query("select distinct k from segment_model")
    assert curve["is_selected"].sum() == 1
    assert curve.loc[curve["is_selected"], "k"].item() == model["k"].item()
    assert curve["silhouette"].between(-1, 1).all()
    assert curve["stability_mean"].between(-1, 1).all()
    assert (curve["k_selection"] == "stability").all()  # segment_k is null by default
    # The most stable k among those within the silhouette tolerance of the best.
    acceptable = curve[curve["silhouette"] >= curve["silhouette"].max() - SILHOUETTE_TOLERANCE]
    chosen = curve.loc[curve["is_selected"]].iloc[0]
    assert chosen["stability_mean"] == pytest.approx(acceptable["stability_mean"].max(), abs=1e-3)


def test_profiles_publish_the_evidence_that_earned_each_name(built_warehouse) -> None:
    profiles = built_warehouse.query("select * from segment_profiles order by segment_id")
    model = built_warehouse.query(
        "select distinct segment_id, segment_name, naming_rule, naming_reason, spend_vs_median "
        "from segment_model order by segment_id"
    )
    assert len(model) == len(profiles)  # one naming per segment, the same on every feature row
    columns = ["segment_name", "naming_rule", "naming_reason", "spend_vs_median"]
    pd.testing.assert_frame_equal(profiles[columns], model[columns])
    assert profiles["naming_reason"].str.len().min() > 10
    actions = pd.read_csv(SEED_PATH).set_index("naming_rule")["marketing_action"]
    assert (profiles["recommended_action"] == profiles["naming_rule"].map(actions)).all()


@pytest.fixture(scope="module")
def rerun_warehouse(rebuilt_warehouse):
    """The built warehouse after a second full `dbt build` on the same data (conftest)."""
    return rebuilt_warehouse


def test_rerun_on_the_same_data_gives_the_same_segments(built_warehouse, rerun_warehouse) -> None:
    first = built_warehouse.query("select * from customer_segments order by customer_id")
    second = rerun_warehouse.query("select * from customer_segments order by customer_id")
    assert first["run_id"].iloc[0] != second["run_id"].iloc[0]
    columns = ["customer_id", "segment_id", "segment_name", "distance_to_centroid"]
    pd.testing.assert_frame_equal(first[columns], second[columns])


def test_history_migration_and_stability_cover_the_last_two_runs(rerun_warehouse) -> None:
    history = rerun_warehouse.query("select run_id, count(*) as n from segment_history group by 1")
    customers = rerun_warehouse.query("select count(*) from customer_segments").iat[0, 0]
    assert len(history) == 2 and (history["n"] == customers).all()

    migration = rerun_warehouse.query("select * from segment_migration")
    assert migration["customers"].sum() == customers
    assert (migration["from_segment_name"] == migration["to_segment_name"]).all()
    assert migration["share_of_from_segment"].to_numpy() == pytest.approx(1.0)

    stability = rerun_warehouse.query("select * from segment_run_stability")
    assert len(stability) == 1
    assert stability["adjusted_rand_index"].item() == pytest.approx(1.0)
    assert stability["customers_in_both"].item() == customers
