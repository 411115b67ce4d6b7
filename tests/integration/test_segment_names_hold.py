"""Segment names are true where the demo's archetypes are missing: four generated populations
(models_py/demo_data/populations.py) are prepared as own data and built by the real dbt up to
segment_profiles, k chosen from the data. Every published name is checked against the seed's
documented rules from customer_features, with the evidence recomputed here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from helpers import dbt_env, run_dbt

from models_py.byod import load_config, prepare
from models_py.demo_data.populations import population_config, write_population
from models_py.segmentation.definitions import SEED_PATH
from models_py.settings import project_vars

pytestmark = pytest.mark.integration

# name -> customers (a grocery log has many orders per customer)
POPULATIONS = {"single_cohort": 1200, "wholesale": 300, "grocery": 400, "no_lapsing": 1200}
HORIZON_DAYS = 90
SEED = pd.read_csv(SEED_PATH)


def build(root: Path, name: str, customers: int) -> Path:
    export = root / "export"
    write_population(export / "transactions.csv", name, customers, seed=3)
    (export / "config.yml").write_text(population_config("transactions.csv", HORIZON_DAYS))
    prepared = root / "prepared"
    prepare(load_config(export / "config.yml"), prepared)
    env = dbt_env(prepared, root / "build.duckdb", root / "artifacts", raw_format="parquet")
    vars_ = (prepared / "dbt_vars.json").read_text()
    # The models up to segment_profiles and the one data test on names; the other tests of those
    # models run on the demo and in test_byod_e2e.
    select = ["--select", "+segment_profiles", "segment_names_hold"]
    select += ["--indirect-selection", "empty", "--exclude", "resource_type:unit_test"]
    run_dbt(env, root, "build", *select, "--vars", vars_)
    return root / "build.duckdb"


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    roots = {name: tmp_path_factory.mktemp(name) for name in POPULATIONS}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {n: pool.submit(build, roots[n], n, c) for n, c in POPULATIONS.items()}
        return {name: future.result() for name, future in futures.items()}


def tables(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        features = con.sql(
            "select f.*, s.segment_name from customer_features f "
            "join customer_segments s using (customer_id)"
        ).df()
        profiles = con.sql("select * from segment_profiles order by segment_id").df()
        curve = con.sql("select * from segment_k_selection order by k").df()
    return features, profiles, curve


def recomputed_evidence(features: pd.DataFrame) -> pd.DataFrame:
    """The documented evidence of each segment, from customer_features (README "Segments")."""
    gap = features["avg_days_between_orders"]
    repeat = (features["frequency"] >= 2) & gap.notna()
    usual_gap = gap.where(repeat, gap[repeat].median())
    multiple = float(project_vars()["segment_lapse_gap_multiple"])
    lapsed = features["recency_days"] > multiple * usual_gap
    data = features.assign(lapsed=lapsed, lapsed_regular=lapsed & repeat)
    grouped = data.groupby("segment_name")
    revenue = grouped["monetary"].sum() / features["monetary"].sum()
    return pd.DataFrame(
        {
            "tenure_vs_horizon": grouped["tenure_days"].median() / HORIZON_DAYS,
            "spend_vs_median": grouped["monetary"].median() / features["monetary"].median(),
            "revenue_lift": revenue / (grouped.size() / len(features)),
            "orders_vs_median": grouped["frequency"].median() / features["frequency"].median(),
            "typical_orders": grouped["frequency"].median(),
            "lapsed_share": grouped["lapsed"].mean(),
            "lapsed_regular_share": grouped["lapsed_regular"].mean(),
        }
    )


def meets(rule: str, evidence: pd.Series, metrics: tuple[str, ...] | None = None) -> bool:
    """The seed row ``rule``'s thresholds (on ``metrics`` only, when given), read straight from
    the CSV: min_x >=, max_x <=."""
    row = SEED.set_index("naming_rule").loc[rule]
    for column, threshold in row.items():
        if metrics is not None and str(column)[4:] not in metrics:
            continue
        if str(column)[:4] in ("min_", "max_") and pd.notna(threshold):
            value = evidence[str(column)[4:]]
            ok = value >= threshold if str(column).startswith("min_") else value <= threshold
            if not ok:
                return False
    return True


def word_is_true(word: str, evidence: pd.Series) -> bool:
    """The descriptive vocabulary (README "Segments")."""
    spend, orders = ("spend_vs_median", "revenue_lift"), ("orders_vs_median", "typical_orders")
    checks = {
        "New": lambda: meets("newest", evidence, ("tenure_vs_horizon",)),
        "Lapsed": lambda: meets("descriptive_lapsed", evidence),
        "High-value": lambda: meets("top_spend", evidence, spend),
        "Low-value": lambda: meets("low_spend", evidence, spend),
        "Mid-value": lambda: (
            not meets("top_spend", evidence, spend) and not meets("low_spend", evidence, spend)
        ),
        "frequent buyers": lambda: meets("most_orders", evidence, orders),
        "one-time buyers": lambda: evidence["typical_orders"] <= 1,
        "occasional buyers": lambda: 1 < evidence["typical_orders"] < 2,
        "regulars": lambda: evidence["typical_orders"] >= 2,
    }
    return checks[word]()


STATUS_WORDS = ("New", "Lapsed")
VALUE_WORDS = ("High-value", "Low-value", "Mid-value")
ORDER_WORDS = ("frequent buyers", "one-time buyers", "occasional buyers", "regulars")


def assert_every_name_is_true(path: Path) -> pd.DataFrame:
    features, profiles, curve = tables(path)
    evidence = recomputed_evidence(features)
    rules = SEED.set_index("segment_name")
    actions = SEED.set_index("naming_rule")["marketing_action"]
    assert profiles["segment_name"].is_unique
    for profile in profiles.itertuples():
        name, own = profile.segment_name, evidence.loc[profile.segment_name]
        published = profiles.set_index("segment_name").loc[name, list(evidence.columns)]
        np.testing.assert_allclose(published.to_numpy(float), own.to_numpy(float), rtol=1e-9)
        if name in rules.index and rules.loc[name, "name_kind"] == "rule":
            assert profile.naming_rule == rules.loc[name, "naming_rule"]
            assert meets(profile.naming_rule, own), f"{name} does not meet its rule: {own}"
        else:
            words = [w for w in STATUS_WORDS if name.startswith(w)]
            words += [w for w in VALUE_WORDS if w.lower() in name.lower()]
            words += [w for w in ORDER_WORDS if w in name]
            assert len(words) >= 2, name
            assert all(word_is_true(w, own) for w in words), f"{name} is false: {own}"
        assert profile.recommended_action == actions[profile.naming_rule]
        if own["lapsed_share"] >= 0.5:  # a lapsed segment never gets the welcome campaign
            assert profile.recommended_action != actions["newest"], name
    assert curve["is_selected"].sum() == 1 and (curve["k_selection"] == "stability").all()
    return profiles


def test_single_cohort_has_no_new_customers(warehouses) -> None:
    profiles = assert_every_name_is_true(warehouses["single_cohort"])
    assert not profiles["segment_name"].str.startswith("New").any()
    assert (profiles["tenure_vs_horizon"] > 1).all()


def test_wholesale_names_hold(warehouses) -> None:
    assert_every_name_is_true(warehouses["wholesale"])


def test_grocery_names_hold(warehouses) -> None:
    profiles = assert_every_name_is_true(warehouses["grocery"])
    assert not profiles["segment_name"].str.contains("one-time").any()


def test_no_lapsing_population_has_no_at_risk_or_lapsed_segment(warehouses) -> None:
    profiles = assert_every_name_is_true(warehouses["no_lapsing"])
    assert not profiles["segment_name"].isin(["At-risk"]).any()
    assert not profiles["segment_name"].str.startswith("Lapsed").any()
