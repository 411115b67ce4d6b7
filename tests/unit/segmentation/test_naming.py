"""Unit tests of segment naming: the evidence (evidence.py), the seed rules (definitions.py) and
the names and actions they give (naming.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.segmentation.definitions import SEED_PATH, load_segment_definitions
from models_py.segmentation.evidence import EVIDENCE_COLUMNS, segment_evidence
from models_py.segmentation.naming import name_segments

DEFINITIONS = load_segment_definitions()
ACTIONS = {d.naming_rule: d.marketing_action for d in DEFINITIONS}


def evidence(**overrides: list[float]) -> pd.DataFrame:
    """Evidence of len(values) segments: unremarkable mid-value regulars unless overridden."""
    k = len(next(iter(overrides.values())))
    base = {
        "tenure_vs_horizon": [5.0] * k,
        "spend_vs_median": [1.0] * k,
        "revenue_lift": [1.0] * k,
        "orders_vs_median": [1.0] * k,
        "typical_orders": [3.0] * k,
        "lapsed_share": [0.1] * k,
        "lapsed_regular_share": [0.1] * k,
    }
    return pd.DataFrame({**base, **overrides})[list(EVIDENCE_COLUMNS)]


def test_evidence_is_relative_to_all_customers() -> None:
    features = pd.DataFrame(
        {
            "recency_days": [10.0, 20.0, 400.0, 300.0],
            "tenure_days": [30.0, 60.0, 410.0, 600.0],
            "frequency": [1, 3, 1, 4],
            "monetary": [10.0, 30.0, 20.0, 140.0],
            # the repeat buyers' gaps are 20 and 100 days: the population's median gap is 60
            "avg_days_between_orders": [np.nan, 20.0, np.nan, 100.0],
        }
    )
    got = segment_evidence(features, np.array([1, 1, 2, 2]), horizon_days=90, lapse_gap_multiple=2)
    assert got.loc[1, "tenure_vs_horizon"] == pytest.approx(45 / 90)
    assert got.loc[2, "spend_vs_median"] == pytest.approx(80 / 25)  # population median 25
    assert got.loc[1, "revenue_lift"] == pytest.approx((40 / 200) / 0.5)
    assert got.loc[2, "orders_vs_median"] == pytest.approx(2.5 / 2)
    assert got.loc[2, "typical_orders"] == 2.5
    # 400 > 2 x 60 (the one-timer's usual gap is the population's) and 300 > 2 x 100
    assert got.loc[2, "lapsed_share"] == 1.0 and got.loc[1, "lapsed_share"] == 0.0
    assert got.loc[2, "lapsed_regular_share"] == 0.5  # only the repeat buyer counts


def test_names_go_only_to_segments_that_meet_their_rule() -> None:
    """A single acquisition cohort, as in the issue: nobody is new, the largest segment bought
    once about 400 days ago, and the cheapest segment still spends above the median."""
    names = name_segments(
        evidence(
            tenure_vs_horizon=[4.5, 4.6, 4.4],
            spend_vs_median=[4.0, 1.5, 0.9],
            revenue_lift=[3.0, 1.2, 0.5],
            typical_orders=[9.0, 4.0, 1.0],
            orders_vs_median=[4.5, 1.5, 0.5],
            lapsed_share=[0.05, 0.1, 0.95],
        ),
        DEFINITIONS,
    )
    assert [n.segment_name for n in names] == [
        "High-value",
        "Mid-value regulars",
        "Lapsed mid-value one-time buyers",
    ]
    assert [n.naming_rule for n in names] == ["top_spend", "fallback", "descriptive_lapsed"]
    assert "New customers" not in [n.segment_name for n in names]
    assert "Low-value" not in [n.segment_name for n in names]  # 0.9 x the median is not low
    # The lapsed one-time buyers get a reactivation, never the welcome campaign.
    assert ACTIONS[names[2].naming_rule] != ACTIONS["newest"]
    lapsed = "share lapsed (past their usual gap x segment_lapse_gap_multiple) 0.95 >= 0.5"
    assert lapsed in names[2].reason


def test_frequent_needs_orders_well_above_the_median() -> None:
    """Wholesale-like: 3 orders against a median of 2 is not frequent; 10 against 2 is."""
    names = name_segments(
        evidence(orders_vs_median=[1.5, 5.0], typical_orders=[3.0, 10.0]), DEFINITIONS
    )
    assert [n.segment_name for n in names] == ["Mid-value regulars", "Frequent buyers"]
    assert names[1].reason == (
        "median orders / all customers' median 5 >= 2; median orders 10 >= 4; "
        "share lapsed (past their usual gap x segment_lapse_gap_multiple) 0.1 <= 0.5"
    )


def test_a_lapsed_segment_is_not_told_it_is_high_value() -> None:
    """Big spenders who bought once, long ago: their spend is described, but the action is a
    reactivation, not loyalty perks."""
    names = name_segments(
        evidence(
            spend_vs_median=[5.0, 0.5],
            revenue_lift=[4.0, 0.5],
            typical_orders=[1.0, 3.0],
            lapsed_share=[0.9, 0.1],
        ),
        DEFINITIONS,
    )
    assert [n.segment_name for n in names] == ["Lapsed high-value one-time buyers", "Low-value"]
    assert names[0].naming_rule == "descriptive_lapsed"
    assert names[0].reason.startswith("no naming rule met; Lapsed: share lapsed (past their")
    assert "High-value: median spend / all customers' median 5 >= 2" in names[0].reason


def test_each_rule_names_the_best_qualifying_segment_and_names_stay_unique() -> None:
    names = name_segments(
        evidence(
            spend_vs_median=[0.5, 0.3, 1.0, 1.2],
            typical_orders=[3.0, 3.0, 3.0, 3.0],
        ),
        DEFINITIONS,
    )
    got = [n.segment_name for n in names]
    # Both spend below 0.8 x the median; the lower takes the name, the other is described; the
    # two mid-value segments are told apart by their median spend.
    assert got == [
        "Low-value regulars",
        "Low-value",
        "Mid-value regulars (lower spend)",
        "Mid-value regulars (higher spend)",
    ]
    assert len(set(got)) == len(got)


def test_three_segments_sharing_a_name_are_ranked_by_spend() -> None:
    names = name_segments(evidence(spend_vs_median=[1.5, 1.1, 1.3]), DEFINITIONS)
    assert [n.segment_name for n in names] == [
        "Mid-value regulars (spend rank 1)",
        "Mid-value regulars (spend rank 3)",
        "Mid-value regulars (spend rank 2)",
    ]


def test_new_needs_a_median_tenure_within_one_horizon() -> None:
    names = name_segments(
        evidence(tenure_vs_horizon=[1.2, 0.4], typical_orders=[1, 1]), DEFINITIONS
    )
    assert [n.segment_name for n in names] == ["Mid-value one-time buyers", "New customers"]
    assert names[1].naming_rule == "newest"


def test_a_segment_without_evidence_meets_no_rule() -> None:
    names = name_segments(evidence(spend_vs_median=[np.nan], typical_orders=[2.0]), DEFINITIONS)
    assert [(n.segment_name, n.naming_rule) for n in names] == [("Mid-value regulars", "fallback")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.assign(min_loyalty=1.0), r"min_loyalty.* name no evidence metric"),
        (
            lambda df: df.assign(rank_by=df["rank_by"].where(df["name_kind"] != "rule", "age")),
            "a naming rule needs rank_by",
        ),
        (
            lambda df: df.assign(min_spend_vs_median=df["min_spend_vs_median"].astype(str)).assign(
                min_spend_vs_median=lambda d: d["min_spend_vs_median"].replace("2.0", "two")
            ),
            "min_spend_vs_median is not a number: 'two'",
        ),
    ],
)
def test_a_bad_seed_is_refused_with_the_row_and_column(tmp_path, change, message) -> None:
    path = tmp_path / "segment_definitions.csv"
    change(pd.read_csv(SEED_PATH)).to_csv(path, index=False)
    with pytest.raises(ValueError, match=message):
        load_segment_definitions(path)
