"""report_context on the test warehouse: the cutoff, horizon, currency and festive months the
report reads are those of the build."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from models_py.report.context import parse_festive_months

pytestmark = pytest.mark.integration


def test_built_report_context_matches_the_build(built_warehouse) -> None:
    row = built_warehouse.query("select * from report_context")
    assert len(row) == 1
    cutoff = built_warehouse.query("select max(as_of_date) as d from customer_features")["d"][0]
    assert pd.Timestamp(row["as_of_date"][0]) == pd.Timestamp(cutoff)
    assert (
        row["horizon_days"][0]
        == built_warehouse.query("select max(horizon_days) as h from customer_labels")["h"][0]
    )
    assert row["currency"][0] == "INR"
    festive = parse_festive_months(row["festive_months"][0])
    flagged = built_warehouse.query(
        "select distinct extract(month from month_start) as m from monthly_revenue "
        "where is_festive_month"
    )["m"]
    assert set(flagged) <= set(festive) and festive
    assert isinstance(pd.Timestamp(row["data_end_date"][0]).date(), date)
