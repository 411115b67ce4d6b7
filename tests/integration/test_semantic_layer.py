"""The semantic layer: `mf query` (MetricFlow, the project's own environment) on a built warehouse
gives the same numbers as plain SQL on the tables the metrics are defined on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import DBT_PROJECT_DIR, Warehouse, run_dbt

from models_py.report.sections import HEADLINES

pytestmark = pytest.mark.integration

MF = Path(sys.executable).with_name("mf")

# What the issue asks the semantic layer to define (metrics) and group by (dimensions).
REQUIRED_METRICS = {
    "net_revenue",
    "orders",
    "buying_customers",
    "active_customers",
    "aov",
    "purchase_frequency",
    "expected_revenue_next_horizon",
    "predicted_clv_12m",
    "revenue_share",
}
REQUIRED_DIMENSIONS = {
    ("customers", "segment"),
    ("customers", "rfm_segment"),
    ("customers", "city"),
    ("customers", "loyalty_tier"),
    ("orders", "channel"),
    ("order_lines", "category"),
}
NO_SEGMENT = "(no segment)"
# The report's headline numbers and the metric each one is.
HEADLINE_METRICS = {
    "customers": "customers",
    "buying_customers": "customers_with_orders",
    "net_revenue": "net_revenue",
    "completed_orders": "orders",
    "active_share": "active_customer_share",
    "expected_revenue_next_horizon": "expected_revenue_next_horizon",
}


@dataclass(frozen=True)
class SemanticProject:
    """A parsed copy of the dbt project (mf reads <project>/target/semantic_manifest.json) on a
    private copy of the built warehouse, so mf never touches the shared one."""

    project_dir: Path
    db_path: Path
    env: dict[str, str]

    def mf(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(MF), *args],
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"mf {' '.join(args)} failed:\n{output}"
        return result

    def query(self, metrics: list[str], group_by: list[str], *options: str) -> pd.DataFrame:
        out = self.project_dir / "query.csv"
        grouping = ["--group-by", ",".join(group_by)] if group_by else []
        self.mf("query", "--metrics", ",".join(metrics), *grouping, "--csv", str(out), *options)
        return pd.read_csv(out)

    def mf_totals(self, metrics: list[str]) -> dict[str, float]:
        """Each metric over the whole warehouse (no group by)."""
        row = self.query(metrics, []).iloc[0]
        return {metric: float(row[metric]) for metric in metrics}

    def sql(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).df()


@pytest.fixture(scope="module")
def semantic(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("semantic")
    project_dir = root / "project"
    project_dir.mkdir()
    for entry in DBT_PROJECT_DIR.iterdir():
        if entry.name not in {"target", "logs"}:
            (project_dir / entry.name).symlink_to(entry)
    db_path = root / "build.duckdb"
    shutil.copy(built_warehouse.db_path, db_path)
    wal = Path(f"{built_warehouse.db_path}.wal")
    if wal.exists():
        shutil.copy(wal, Path(f"{db_path}.wal"))
    env = {**built_warehouse.env, "CA_WAREHOUSE_PATH": str(db_path)}
    env["DBT_PROJECT_DIR"] = str(project_dir)
    run_dbt(env, project_dir, "parse")
    return SemanticProject(project_dir=project_dir, db_path=db_path, env=env)


def _by(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(**{key: frame[key].fillna(NO_SEGMENT)}).set_index(key).sort_index()


def test_manifest_defines_every_required_metric_and_dimension(semantic: SemanticProject) -> None:
    manifest = json.loads((semantic.project_dir / "target" / "semantic_manifest.json").read_text())
    metrics = {metric["name"] for metric in manifest["metrics"]}
    dimensions = {
        (model["name"], dimension["name"])
        for model in manifest["semantic_models"]
        for dimension in model["dimensions"]
    }
    assert not REQUIRED_METRICS - metrics, "metrics missing"
    assert not REQUIRED_DIMENSIONS - dimensions, "dimensions missing"
    assert manifest["project_configuration"]["time_spines"], "no time spine configured"


def test_monthly_revenue_orders_and_aov_match_sql(semantic: SemanticProject) -> None:
    got = semantic.query(
        ["net_revenue", "orders", "aov", "buying_customers", "purchase_frequency"],
        ["metric_time__month"],
    )
    got["month"] = pd.to_datetime(got["metric_time__month"])
    expected = semantic.sql(
        """
        select
            cast(date_trunc('month', order_date) as timestamp) as month,
            cast(sum(spend_amount) as double) as net_revenue,
            count(case when status = 'completed' then 1 end) as orders,
            count(distinct case when status = 'completed' then customer_id end) as buying_customers
        from fct_orders
        group by 1
        """
    )
    expected["aov"] = expected["net_revenue"] / expected["orders"]
    expected["purchase_frequency"] = expected["orders"] / expected["buying_customers"]
    got, expected = _by(got, "month"), _by(expected, "month")
    assert list(got.index) == list(expected.index)
    for column in ["net_revenue", "orders", "aov", "buying_customers", "purchase_frequency"]:
        assert got[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-9)


def test_customer_and_prediction_metrics_by_segment_match_sql(semantic: SemanticProject) -> None:
    metrics = [
        "buying_customers",
        "customers",
        "active_customers",
        "expected_revenue_next_horizon",
        "predicted_clv_12m",
        "revenue_share",
    ]
    got = _by(semantic.query(metrics, ["customer__segment"]), "customer__segment")
    buyers = semantic.sql(
        """
        select segment_name, count(distinct orders.customer_id) as buying_customers
        from fct_orders as orders
        left join customer_360 using (customer_id)
        where orders.status = 'completed'
        group by segment_name
        """
    )
    horizon = int(semantic.sql("select horizon_days from report_context").iloc[0, 0])
    # The README's "expected revenue by segment" query, with the other customer measures beside it.
    customers = semantic.sql(
        f"""
        select
            segment_name,
            count(*) as customers,
            sum(case when is_active_90d then 1 else 0 end) as active_customers,
            sum(predicted_spend_next_{horizon}d) as expected_revenue_next_horizon,
            sum(predicted_clv_12m) as predicted_clv_12m
        from customer_360
        group by segment_name
        """
    )
    shares = semantic.sql("select segment_name, revenue_share from segment_summary")
    for table in (buyers, customers, shares):
        expected = _by(table.rename(columns={"segment_name": "segment"}), "segment").fillna(0)
        for column in expected.columns:
            actual = got[column].reindex(expected.index).fillna(0)
            assert actual.to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-9), column
    assert got["revenue_share"].sum() == pytest.approx(1.0)


def test_revenue_by_category_and_channel_matches_sql(semantic: SemanticProject) -> None:
    got = semantic.query(["net_revenue"], ["order_line__category", "order__channel"])
    expected = semantic.sql(
        """
        select category, channel, cast(sum(spend_amount) as double) as net_revenue
        from fct_order_lines
        group by category, channel
        """
    )
    got = got.set_index(["order_line__category", "order__channel"]).sort_index()
    expected = expected.set_index(["category", "channel"]).sort_index()
    assert list(got.index) == list(expected.index)
    assert got["net_revenue"].to_numpy() == pytest.approx(expected["net_revenue"].to_numpy())
    total = semantic.sql("select cast(sum(spend_amount) as double) as total from fct_orders")
    assert got["net_revenue"].sum() == pytest.approx(total["total"].iloc[0], rel=1e-9)


def test_revenue_share_within_a_time_range_is_of_that_range(semantic: SemanticProject) -> None:
    start = semantic.sql("select max(order_date) - interval 180 day as start from fct_orders")
    start_date = pd.Timestamp(start["start"].iloc[0]).date().isoformat()
    got = semantic.query(["revenue_share"], ["order__channel"], "--start-time", start_date)
    expected = semantic.sql(
        f"""
        select channel, sum(spend_amount) / sum(sum(spend_amount)) over () as revenue_share
        from fct_orders
        where order_date >= date '{start_date}'
        group by channel
        """
    )
    got = got.set_index("order__channel").sort_index()
    expected = expected.set_index("channel").sort_index()
    assert got["revenue_share"].to_numpy() == pytest.approx(
        expected["revenue_share"].astype(float).to_numpy(), rel=1e-9
    )


def test_report_headlines_are_the_metrics(semantic: SemanticProject) -> None:
    headlines = {headline.key: headline.sql for headline in HEADLINES}
    got = semantic.mf_totals(list(HEADLINE_METRICS.values()))
    for key, metric in HEADLINE_METRICS.items():
        expected = semantic.sql(headlines[key]).iloc[0, 0]
        assert got[metric] == pytest.approx(float(expected), rel=1e-9), key


def test_rolling_active_customers_match_sql_and_the_cutoff_count(semantic: SemanticProject) -> None:
    cutoff = pd.Timestamp(semantic.sql("select as_of_date from report_context").iloc[0, 0])
    start = cutoff - pd.Timedelta(days=45)
    got = semantic.query(
        ["active_customers_rolling"],
        ["metric_time__day"],
        "--start-time",
        start.date().isoformat(),
        "--end-time",
        cutoff.date().isoformat(),
    )
    expected = semantic.sql(
        f"""
        select
            cast(days.day as timestamp) as day,
            count(distinct orders.customer_id) as active_customers_rolling
        from range(date '{start.date()}', date '{cutoff.date()}' + 1, interval 1 day) as days (day)
        inner join fct_orders as orders
            on orders.order_date between cast(days.day as date) - 90 and cast(days.day as date)
        where orders.status = 'completed'
        group by days.day
        """
    )
    got["day"] = pd.to_datetime(got["metric_time__day"])
    got, expected = _by(got, "day"), _by(expected, "day")
    assert list(got.index) == list(expected.index)
    assert (got["active_customers_rolling"] == expected["active_customers_rolling"]).all()
    at_cutoff = semantic.sql("select count(*) from customer_360 where is_active_90d").iloc[0, 0]
    assert got["active_customers_rolling"].iloc[-1] == at_cutoff
