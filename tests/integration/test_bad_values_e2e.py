"""Absurd values, implausible dates and hostile config values, end to end through the real
`dbt build`: each ends in a quarantine row with its reason, a compile error naming the var, or a
quoted literal, never in a DECIMAL overflow or wrong numbers. Two builds: the demo extract read
by staging from a folder whose name holds an apostrophe, and a flat export prepared as own data."""

from __future__ import annotations

import csv
import functools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import CLASSIFIED_MODEL, Warehouse, dbt_env, generate, run_dbt

from models_py.byod import load_config, prepare
from models_py.byod.samples import FLAT_INVOICE_CONFIG, write_flat_invoices
from models_py.report.build import write_exports

pytestmark = pytest.mark.integration

HOSTILE_DOMAIN = "x' or true or 'x'='x"
FORMULA_ID = '=HYPERLINK("http://example.com","click")'


@dataclass(frozen=True)
class BadDemo:
    """The demo build, and which raw rows the test made absurd."""

    warehouse: Warehouse
    huge_price_lines: list[tuple[str, int]]
    huge_quantity_line: tuple[str, int]
    huge_discount_line: tuple[str, int]
    old_orders: list[str]


def _rewrite(path: Path, change) -> None:
    with path.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    change(rows)
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _read(raw: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(raw / f"{table}.csv", dtype=str, keep_default_na=False)


def _plain_orders(raw: Path) -> list[dict]:
    """Completed orders without any of the demo's faults (sent once, ISO timestamp in the data's
    years, a real customer who is no test account): staging keeps them clean."""
    orders, customers = _read(raw, "orders"), _read(raw, "customers")
    real = customers[~customers["email"].str.contains("test", case=False)]
    real = real.drop_duplicates("customer_id", keep=False)["customer_id"]
    plain = orders[
        (orders["status"] == "completed")
        & orders["order_ts"].str.fullmatch(r"202[45]-\d\d-\d\d \d\d:\d\d:\d\d")
        & orders["updated_at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        & orders["channel"].isin(["store", "online"])
        & orders["customer_id"].isin(set(real))
    ]
    return plain.drop_duplicates("order_id", keep=False).to_dict("records")


def _plain_lines(raw: Path, orders: list[dict]) -> dict[str, dict]:
    """The first line, sent once and of a known product, of each of these orders."""
    lines = _read(raw, "order_lines")
    products = set(_read(raw, "products").drop_duplicates("product_id", keep=False)["product_id"])
    lines = lines.drop_duplicates(["order_id", "line_number"], keep=False)
    lines = lines[lines["product_id"].isin(products) & lines["discount"].isin(["0.00"])]
    wanted = {o["order_id"] for o in orders}
    first = lines[lines["order_id"].isin(wanted)].drop_duplicates("order_id")
    return {row["order_id"]: row for row in first.to_dict("records")}


def _spoil_lines(targets: dict, lines: dict, rows: list[dict]) -> None:
    """The chosen line of each target order gets its target column's bad value."""
    for row in rows:
        order = row["order_id"]
        if order in targets and row["line_number"] == lines[order]["line_number"]:
            column, value = targets[order]
            row[column] = value


def _spoil_orders(old: list[str], renamed: str, rows: list[dict]) -> None:
    for row in rows:
        if row["order_id"] in old:
            row["order_ts"] = "1900-01-01 10:00:00"
        if row["customer_id"] == renamed:
            row["customer_id"] = FORMULA_ID


def _rename_customer(renamed: str, rows: list[dict]) -> None:
    for row in rows:
        if row["customer_id"] == renamed:
            row["customer_id"] = FORMULA_ID


def _spoil_demo(raw: Path) -> dict:
    """Five unit prices of 9e15, a quantity of 1e9, a discount of 9e15 on lines of distinct
    plain orders; three orders dated 1900; one customer id that is a spreadsheet formula."""
    orders = _plain_orders(raw)
    lines = _plain_lines(raw, orders[:40])
    changes = [("unit_price", "9e15")] * 5 + [("quantity", "1000000000"), ("discount", "9e15")]
    targets = dict(zip(list(lines)[: len(changes)], changes, strict=True))
    old = [o["order_id"] for o in orders[40:43]]
    renamed = orders[50]["customer_id"]
    _rewrite(raw / "order_lines.csv", functools.partial(_spoil_lines, targets, lines))
    _rewrite(raw / "orders.csv", functools.partial(_spoil_orders, old, renamed))
    _rewrite(raw / "customers.csv", functools.partial(_rename_customer, renamed))
    keys = [(order, int(lines[order]["line_number"])) for order in targets]
    return {"lines": keys, "old": old}


@pytest.fixture(scope="module")
def bad_demo(tmp_path_factory: pytest.TempPathFactory) -> BadDemo:
    root = tmp_path_factory.mktemp("bad") / "it's a dir"
    raw = root / "raw"
    generate(raw, 300, 3)
    spoiled = _spoil_demo(raw)
    env = dbt_env(raw, root / "build.duckdb", root / "artifacts")
    warehouse = Warehouse(
        root=root,
        raw_dir=raw,
        db_path=root / "build.duckdb",
        artifacts_dir=root / "artifacts",
        env=env,
    )
    warehouse.dbt("build")
    lines = spoiled["lines"]
    return BadDemo(
        warehouse=warehouse,
        huge_price_lines=lines[:5],
        huge_quantity_line=lines[5],
        huge_discount_line=lines[6],
        old_orders=spoiled["old"],
    )


def _reasons(warehouse: Warehouse, table: str, keys: str) -> dict:
    frame = warehouse.query(
        f"select {keys}, reason from {CLASSIFIED_MODEL[table]} where row_bucket = 'quarantined'"
    )
    return {tuple(row[:-1]): row[-1] for row in frame.itertuples(index=False)}


def test_absurd_money_and_quantities_are_quarantined_not_overflowing(bad_demo: BadDemo) -> None:
    reasons = _reasons(bad_demo.warehouse, "order_lines", "order_id, line_number")
    for key in bad_demo.huge_price_lines:
        assert reasons[key] == "unit_price out of range"
    assert reasons[bad_demo.huge_quantity_line] == "quantity out of range"
    assert reasons[bad_demo.huge_discount_line] == "discount out of range"
    published = bad_demo.warehouse.query("select order_id, line_number from fct_order_lines")
    published_keys = set(published.itertuples(index=False, name=None))
    spoiled = {*bad_demo.huge_price_lines, bad_demo.huge_quantity_line, bad_demo.huge_discount_line}
    assert not spoiled & published_keys
    totals = bad_demo.warehouse.query(
        "select max(unit_price) as price, sum(spend_amount) as spend from fct_order_lines"
    )
    assert totals["price"][0] <= 100_000_000
    revenue = bad_demo.warehouse.query("select sum(net_revenue) as r from monthly_revenue")
    assert float(revenue["r"][0]) == pytest.approx(float(totals["spend"][0]), abs=0.01)
    assert float(revenue["r"][0]) < 1e9


def test_orders_before_min_valid_date_are_quarantined_as_too_old(bad_demo: BadDemo) -> None:
    reasons = _reasons(bad_demo.warehouse, "orders", "order_id")
    assert {order: reasons.get((order,)) for order in bad_demo.old_orders} == dict.fromkeys(
        bad_demo.old_orders, "order too old"
    )
    first_month = bad_demo.warehouse.query("select min(month_start) as m from monthly_revenue")
    assert str(first_month["m"][0]) >= "2000-01-01"
    span = bad_demo.warehouse.query(
        "select max(tenure_days) as tenure, "
        "(select max(order_date) - min(order_date) from fct_orders) as data_days "
        "from customer_features"
    )
    assert 0 < span["tenure"][0] <= span["data_days"][0] < 1000


def test_raw_folder_with_an_apostrophe_is_quoted_in_the_source(bad_demo: BadDemo) -> None:
    compiled = next(
        (bad_demo.warehouse.root / "target" / "compiled").rglob("staging/base/base_orders.sql")
    )
    assert "it''s a dir/raw/orders.csv" in compiled.read_text()


def test_hostile_test_account_domain_is_one_literal_matching_nothing(
    bad_demo: BadDemo, tmp_path: Path
) -> None:
    db_path = tmp_path / "copy.duckdb"
    shutil.copy(bad_demo.warehouse.db_path, db_path)
    env = {**bad_demo.warehouse.env, "CA_WAREHOUSE_PATH": str(db_path)}
    hostile = json.dumps({"test_account_email_domain": HOSTILE_DOMAIN})
    run_dbt(env, tmp_path, "run", "-s", "base_customers", "--vars", hostile)
    compiled = next((tmp_path / "target" / "compiled").rglob("staging/base/base_customers.sql"))
    assert "'@x'' or true or ''x''=''x'" in compiled.read_text()
    with duckdb.connect(str(db_path), read_only=True) as con:
        buckets = dict(
            con.sql("select row_bucket, count(*) from base_customers group by 1").fetchall()
        )
    assert "excluded_test" not in buckets  # no email ends in the hostile text
    default = bad_demo.warehouse.query(
        "select count(*) as n from base_customers where row_bucket = 'excluded_test'"
    )
    assert default["n"][0] > 0  # while the default domain does exclude the demo's test accounts


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("price_outlier_ratio", "10 or true", "var price_outlier_ratio must be a number"),
        ("max_unit_price", True, "var max_unit_price must be a number"),
        (
            "min_valid_date",
            "2024-02-30",
            "var min_valid_date must be a date written YYYY-MM-DD that exists",
        ),
        (
            "max_valid_date",
            "2024-01-01' or '1",
            "var max_valid_date must be a date written YYYY-MM-DD that exists",
        ),
        ("max_abs_quantity", 1e12, "must stay at most 1e14"),
        ("as_of_date", "2024-02-30", "var as_of_date must be a date written YYYY-MM-DD"),
    ],
)
def test_bad_vars_stop_compilation_naming_the_var(
    bad_demo: BadDemo, tmp_path: Path, var: str, value: object, message: str
) -> None:
    result = run_dbt(
        bad_demo.warehouse.env,
        tmp_path,
        "compile",
        "-s",
        "int_orders_classified int_order_lines_classified int_feature_cutoffs",
        "--vars",
        json.dumps({var: value}),
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stdout


def test_segment_export_neutralises_a_formula_customer_id(
    bad_demo: BadDemo, tmp_path: Path
) -> None:
    with bad_demo.warehouse.connect() as con:
        paths = write_exports(con, {"customer_360"}, tmp_path, 90)
    cells = [
        row for path in paths for row in csv.DictReader(path.open(newline="", encoding="utf-8"))
    ]
    ids = {row["customer_id"] for row in cells}
    assert f"'{FORMULA_ID}" in ids
    assert FORMULA_ID not in ids
    assert all(not row["p_purchase_next_90d"].startswith("'") for row in cells)


def test_own_data_out_of_range_and_too_old_rows_are_quarantined_before_staging(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export"
    data = write_flat_invoices(export / "online_retail.csv", customers=150)
    raw = pd.read_csv(data, dtype=str, encoding="latin-1", keep_default_na=False)
    usable = raw.index[(raw["CustomerID"] != "") & ~raw["InvoiceDate"].str.startswith("31/02")]
    huge = list(usable[:5])
    spared = usable[~raw.loc[usable, "InvoiceNo"].isin(raw.loc[huge, "InvoiceNo"])]
    old = raw.index[raw["InvoiceNo"].isin(raw.loc[spared, "InvoiceNo"].unique()[:3])]
    raw.loc[huge, "UnitPrice"] = "9e15"
    raw.loc[old, "InvoiceDate"] = "01/01/1900 10:00"
    raw.to_csv(data, index=False, encoding="latin-1")
    config = export / "config.yml"
    config.write_text(FLAT_INVOICE_CONFIG.format(path="online_retail.csv"))

    prepared = tmp_path / "prepared"
    summary = prepare(load_config(config), prepared)
    reasons = {r["reason"]: r["rows"] for r in summary["quarantined_by_reason"]}
    assert reasons["unit_price out of range (max 100000000, max_unit_price)"] == 5
    assert reasons["order too old (before 2000-01-01)"] == len(old)

    env = dbt_env(prepared, tmp_path / "build.duckdb", tmp_path / "artifacts", "parquet")
    run_dbt(env, tmp_path, "build", "--vars", (prepared / "dbt_vars.json").read_text())
    kept = raw.drop(index=huge)
    kept = kept[
        (kept["CustomerID"] != "") & ~kept["InvoiceDate"].str.startswith(("31/02", "01/01/1900"))
    ]
    completed = kept[~kept["InvoiceNo"].str.startswith("C")]
    expected = (completed["Quantity"].astype(int) * completed["UnitPrice"].astype(float)).sum()
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        spend = con.sql("select sum(spend_amount) from fct_orders").fetchall()[0][0]
        first_month = con.sql("select min(month_start) from monthly_revenue").fetchall()[0][0]
    assert float(spend) == pytest.approx(expected, abs=0.01)
    assert str(first_month) >= "2000-01-01"
