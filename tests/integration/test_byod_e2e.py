"""Bring your own data end to end: each common shape of a retailer's export, written by the test,
is prepared from a YAML config and built by the real `dbt build` (segmentation and prediction
included) into a temporary warehouse. One build per shape."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import dbt_env, run_dbt

from models_py.byod import load_config, prepare
from models_py.byod.samples import (
    FLAT_INVOICE_CONFIG,
    TRANSACTION_LOG_CONFIG,
    write_flat_invoices,
    write_transaction_log,
)
from models_py.demo_data.cli import generate

pytestmark = pytest.mark.integration


def build(root: Path, config_path: Path) -> tuple[dict, duckdb.DuckDBPyConnection]:
    """prepare + dbt build with the config's vars; the summary and a read-only connection."""
    prepared = root / "prepared"
    summary = prepare(load_config(config_path), prepared)
    env = dbt_env(prepared, root / "build.duckdb", root / "artifacts", raw_format="parquet")
    run_dbt(env, root, "build", "--vars", (prepared / "dbt_vars.json").read_text())
    return summary, duckdb.connect(str(root / "build.duckdb"), read_only=True)


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.sql(f"describe {table}").fetchall()]


def assert_ml_covers_every_customer(con: duckdb.DuckDBPyConnection) -> None:
    customers = con.sql("select count(*) from customer_features").fetchall()[0][0]
    assert customers > 0
    for table in ("customer_segments", "customer_predictions"):
        assert con.sql(f"select count(*) from {table}").fetchall()[0][0] == customers


def test_flat_invoice_export(tmp_path: Path) -> None:
    data = write_flat_invoices(tmp_path / "export" / "online_retail.csv", customers=300)
    config = tmp_path / "export" / "config.yml"
    config.write_text(FLAT_INVOICE_CONFIG.format(path="online_retail.csv"))
    summary, con = build(tmp_path, config)

    raw = pd.read_csv(data, dtype=str, encoding="latin-1", keep_default_na=False)
    no_customer = int((raw["CustomerID"] == "").sum())
    reasons = {r["reason"]: r["rows"] for r in summary["quarantined_by_reason"]}
    assert reasons["missing customer_id"] == no_customer > 0
    assert reasons["unparseable order_ts"] > 0
    assert summary["prepared_rows"]["order_lines"] + summary["quarantined_rows"] == len(raw)

    # Spend = completed (not "C") invoices' lines of identified customers with a valid date.
    kept = raw[(raw["CustomerID"] != "") & ~raw["InvoiceDate"].str.startswith("31/02")]
    completed = kept[~kept["InvoiceNo"].str.startswith("C")]
    expected = (completed["Quantity"].astype(int) * completed["UnitPrice"].astype(float)).sum()
    spend = con.sql("select sum(spend_amount) from fct_orders").fetchall()[0][0]
    assert float(spend) == pytest.approx(expected, abs=0.01)
    statuses = dict(con.sql("select status, count(*) from fct_orders group by 1").fetchall())
    assert (
        statuses["cancelled"]
        == kept.loc[kept["InvoiceNo"].str.startswith("C"), "InvoiceNo"].nunique()
    )

    quality = con.sql("select * from data_quality_summary").df()
    assert (quality["raw_rows"] == quality["clean_rows"]).all()  # prepare already cleaned

    features = columns(con, "customer_features")
    assert not [c for c in features if c.startswith("share_")]
    nulls = con.sql(
        "select count(favourite_category), count(distinct_categories), count(online_share), "
        "count(discount_share) from customer_features"
    ).fetchall()[0]
    assert nulls == (0, 0, 0, 0)
    cities = {row[0] for row in con.sql("select distinct city from customer_features").fetchall()}
    assert cities <= set(raw["Country"])
    assert_ml_covers_every_customer(con)


def test_bare_transaction_log(tmp_path: Path) -> None:
    data = write_transaction_log(tmp_path / "log" / "transactions.txt", customers=300)
    config = tmp_path / "log" / "config.yml"
    config.write_text(TRANSACTION_LOG_CONFIG.format(path="transactions.txt"))
    summary, con = build(tmp_path, config)

    rows = [line.split() for line in data.read_text().splitlines()]
    assert summary["quarantined_rows"] == 0
    assert con.sql("select count(*) from fct_orders").fetchall()[0][0] == len(rows)
    returns = sum(1 for r in rows if int(r[2]) < 0)
    statuses = dict(con.sql("select status, count(*) from fct_orders group by 1").fetchall())
    assert statuses == {"completed": len(rows) - returns, "returned": returns}
    expected = sum(float(r[3]) for r in rows if int(r[2]) > 0)
    spend = con.sql("select sum(spend_amount) from fct_orders").fetchall()[0][0]
    assert float(spend) == pytest.approx(expected, abs=0.01)
    lines = con.sql("select count(product_id), count(*) from fct_order_lines").fetchall()[0]
    assert lines == (0, len(rows))

    profile = con.sql(
        "select distinct gender, age_band, city, loyalty_tier from customer_features"
    ).fetchall()
    assert profile == [("unknown", "unknown", "unknown", "unknown")]
    assert con.sql("select count(*) from dim_customers where has_profile").fetchall()[0][0] == 0
    # The config's as_of_date, horizon_days and segment settings reached dbt.
    cutoffs = con.sql("select distinct as_of_date, horizon_days from customer_labels").fetchall()
    assert [(str(d), h) for d, h in cutoffs] == [("2024-09-30", 90)]
    assert (
        2
        <= con.sql("select count(distinct segment_id) from customer_segments").fetchall()[0][0]
        <= 4
    )
    assert_ml_covers_every_customer(con)


def _renamed_export(tmp_path: Path) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """The demo's tables under the retailer's names, and the config that maps them back."""
    demo = tmp_path / "demo"
    generate(customers=400, seed=3, out=demo, fmt="csv")
    export = tmp_path / "export"
    (export / "lines").mkdir(parents=True)
    orders = pd.read_csv(demo / "orders.csv", dtype=str, keep_default_na=False)
    orders = orders.rename(
        columns={"order_id": "Order No", "customer_id": 'Customer "ID"', "order_ts": "Order Date"}
    )
    orders.to_csv(export / "orders.csv", sep=";", index=False)
    lines = pd.read_csv(demo / "order_lines.csv", dtype=str, keep_default_na=False)
    half = len(lines) // 2
    lines.iloc[:half].to_parquet(export / "lines" / "part-1.parquet", index=False)
    lines.iloc[half:].to_parquet(export / "lines" / "part-2.parquet", index=False)
    config = export / "config.yml"
    config.write_text(
        f"""
tables:
  orders:
    path: orders.csv
    delimiter: ";"
    mapping:
      order_id: Order No
      customer_id: 'Customer "ID"'
      order_ts: Order Date
      store: store
      channel: channel
      status: status
      updated_at: updated_at
  order_lines:
    path: lines/*.parquet
    mapping: {json.dumps({c: c for c in lines.columns})}
  products:
    path: {demo / "products.csv"}
    mapping: {{product_id: product_id, product_name: product_name, category: category,
      brand: brand, list_price: list_price}}
  customers:
    path: {demo / "customers.csv"}
    mapping: {json.dumps({c: c for c in pd.read_csv(demo / "customers.csv", nrows=0).columns})}
"""
    )
    return config, orders, lines


def test_own_multi_table_contract_with_renamed_columns(tmp_path: Path) -> None:
    """The contract's own tables under the retailer's names: orders with a semicolon, a column
    name with a space and one with a quote; order lines as a glob of two Parquet files."""
    config, orders, lines = _renamed_export(tmp_path)
    summary, con = build(tmp_path, config)

    quality = con.sql("select * from data_quality_summary").df().set_index("table_name")
    assert quality.loc["orders", "raw_rows"] + summary["quarantined_rows"] >= len(orders)
    assert quality.loc["order_lines", "raw_rows"] <= len(lines)
    assert summary["rows_read"] == {
        "orders": len(orders),
        "order_lines": len(lines),
        "products": summary["prepared_rows"]["products"],
        "customers": summary["prepared_rows"]["customers"],
    }
    reasons = {
        r[0] for r in con.sql("select distinct reason from quarantine_order_lines").fetchall()
    }
    assert {"unknown product", "price outlier"} <= reasons  # staging's checks still apply

    features = columns(con, "customer_features")
    assert [c for c in features if c.startswith("share_")]
    counts = con.sql(
        "select count(*), count(online_share), count(distinct_categories) from customer_features"
    ).fetchall()[0]
    assert counts[0] == counts[1] == counts[2]
    assert_ml_covers_every_customer(con)
