"""The benchmark's pandas way and floor query compute the same customer_features as dbt on the
test warehouse."""

from __future__ import annotations

import pandas as pd
import pytest

from bench import pandas_way
from bench.compare import CORE_COLUMNS, compare_features
from bench.floor import floor_features

pytestmark = pytest.mark.integration


def _dbt_features(warehouse) -> pd.DataFrame:
    return warehouse.query("select * from customer_features")


def _assert_same(reference: pd.DataFrame, candidate: pd.DataFrame) -> None:
    result = compare_features(reference, candidate, sample_size=len(reference))
    assert result["missing"] == 0, result
    assert result["mismatches"] == 0, result["example"]
    compared = set(result["columns"])
    assert set(CORE_COLUMNS) <= compared
    assert {c for c in reference.columns if c.startswith("share_")} <= compared


def test_floor_query_matches_dbt_customer_features(built_warehouse):
    reference = _dbt_features(built_warehouse)
    floor = floor_features(built_warehouse.raw_dir, "csv")
    assert len(reference) > 1000
    _assert_same(reference, floor)


def test_pandas_way_matches_dbt_customer_features(built_warehouse):
    reference = _dbt_features(built_warehouse)
    result = pandas_way.run(built_warehouse.raw_dir, "csv", ml=False)
    _assert_same(reference, result["features"])
    assert set(result["timings"]) == {"load", "staging", "features"}
