"""Staging on a generated warehouse: every raw row lands in exactly one bucket, each injected fault
lands in the bucket docs/contracts.md gives it, and clean rows carry parsed values only.

Expected counts come from the raw files (read with pandas, independently of the SQL) and from the
generator's documented fault rates, never from the dbt models themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import (
    CLASSIFIED_MODEL,
    CLEAN_MODEL,
    SMALL_CUSTOMERS,
    SMALL_SEED,
    Warehouse,
    dbt_env,
    generate,
    run_dbt,
)

from models_py.demo_data.cli import config as generator_config
from models_py.demo_data.faults import exact_count

pytestmark = pytest.mark.integration

TABLES = ("customers", "products", "orders", "order_lines")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y%m%d")
TEST_DOMAIN = "@" + generator_config.TEST_EMAIL_DOMAIN


def read_raw(raw_dir: Path, table: str) -> pd.DataFrame:
    """A raw CSV file as text, empty fields as empty strings."""
    return pd.read_csv(raw_dir / f"{table}.csv", dtype=str, keep_default_na=False)


def parse_dates(values: pd.Series) -> pd.Series:
    """The documented date formats, tried in turn; anything else is NaT."""
    text = values.str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in DATE_FORMATS:
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return parsed


@pytest.fixture(scope="module")
def raw(built_warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    return {table: read_raw(built_warehouse.raw_dir, table) for table in TABLES}


@pytest.fixture(scope="module")
def summary(built_warehouse: Warehouse) -> pd.DataFrame:
    return built_warehouse.query("select * from data_quality_summary").set_index("table_name")


@pytest.fixture(scope="module")
def reasons(built_warehouse: Warehouse) -> dict[str, dict[str, int]]:
    """Quarantined rows per reason, per table."""
    counts = {}
    for table in TABLES:
        frame = built_warehouse.query(
            f"select reason, count(*) as n from quarantine_{table} group by reason"
        )
        counts[table] = dict(zip(frame["reason"], frame["n"], strict=True))
    return counts


@pytest.fixture(scope="module")
def test_ids(raw: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Test-account customer ids (by email domain) and their order ids, from the raw files."""
    customers = raw["customers"]
    is_test = customers["email"].str.strip().str.lower().str.endswith(TEST_DOMAIN)
    customer_ids = set(customers.loc[is_test, "customer_id"])
    orders = raw["orders"]
    order_ids = set(orders.loc[orders["customer_id"].isin(customer_ids), "order_id"])
    return {"customers": customer_ids, "orders": order_ids}


def test_reconciliation_against_raw_files(raw, summary):
    for table in TABLES:
        row = summary.loc[table]
        assert row["raw_rows"] == len(raw[table]), table
        buckets = ("clean_rows", "duplicates_removed", "quarantined_rows", "excluded_test_rows")
        assert row["raw_rows"] == sum(row[b] for b in buckets), table


def test_clean_rows_are_the_staging_models(built_warehouse, summary):
    for table in TABLES:
        clean = built_warehouse.query(f"select count(*) as n from {CLEAN_MODEL[table]}")["n"].iloc[
            0
        ]
        assert clean == summary.loc[table, "clean_rows"], table


def test_test_accounts_are_excluded_with_their_orders_and_lines(
    built_warehouse, raw, summary, test_ids
):
    truth = pd.read_csv(built_warehouse.raw_dir / "ground_truth" / "customer_types.csv")
    truth_ids = set(truth.loc[truth["customer_type"] == generator_config.TEST_TYPE, "customer_id"])
    assert test_ids["customers"] == truth_ids
    assert truth_ids, "the demo data should contain test accounts"

    customers, orders, lines = raw["customers"], raw["orders"], raw["order_lines"]
    expected = {
        "customers": customers["customer_id"].isin(test_ids["customers"]).sum(),
        "products": 0,
        "orders": orders["customer_id"].isin(test_ids["customers"]).sum(),
        "order_lines": lines["order_id"].isin(test_ids["orders"]).sum(),
    }
    for table, n in expected.items():
        assert summary.loc[table, "excluded_test_rows"] == n, table

    staged = built_warehouse.query("select customer_id from stg_customers")
    assert not set(staged["customer_id"]) & truth_ids
    staged_orders = built_warehouse.query("select distinct order_id from int_order_lines")
    assert not set(staged_orders["order_id"]) & test_ids["orders"]


def test_duplicates_removed_are_exact_copies_and_older_versions(raw, summary, test_ids):
    keys = {
        "customers": ["customer_id"],
        "products": ["product_id"],
        "orders": ["order_id"],
        "order_lines": ["order_id", "line_number"],
    }
    rates = generator_config
    n_customers = raw["customers"]["customer_id"].nunique()
    n_orders = raw["orders"]["order_id"].nunique()
    known_lines = raw["order_lines"][raw["order_lines"]["order_id"].isin(raw["orders"]["order_id"])]
    n_lines = len(known_lines.drop_duplicates(["order_id", "line_number"]))
    injected = {
        "customers": exact_count(rates.DUPLICATE_ROW_RATE, n_customers)
        + exact_count(rates.RESENT_CUSTOMER_RATE, n_customers),
        "products": exact_count(rates.DUPLICATE_ROW_RATE, raw["products"]["product_id"].nunique()),
        "orders": exact_count(rates.DUPLICATE_ROW_RATE, n_orders)
        + exact_count(rates.RESENT_ORDER_RATE, n_orders),
        "order_lines": exact_count(rates.DUPLICATE_ROW_RATE, n_lines),
    }
    for table, key in keys.items():
        frame = raw[table]
        if table in ("customers", "orders"):
            frame = frame[~frame[key[0]].isin(test_ids[table])]
        distinct = frame.drop_duplicates()
        copies = len(frame) - len(distinct)
        older_versions = len(distinct) - len(distinct.drop_duplicates(key))
        if table in ("products", "order_lines"):
            older_versions = 0  # no updated_at: conflicting keys are quarantined, not versions
        assert summary.loc[table, "duplicates_removed"] == copies + older_versions, table
        assert summary.loc[table, "duplicates_removed"] == injected[table], table


def test_resent_records_keep_the_latest_version(built_warehouse, raw, test_ids):
    for table, key in (("customers", "customer_id"), ("orders", "order_id")):
        frame = raw[table].drop_duplicates()
        frame = frame[~frame[key].isin(test_ids[table])].assign(
            parsed_updated_at=lambda f: parse_dates(f["updated_at"])
        )
        resent = frame[frame.duplicated(key, keep=False)]
        assert resent[key].nunique() > 0, f"the demo data should re-send some {table}"
        latest = resent.sort_values("parsed_updated_at").drop_duplicates(key, keep="last")
        staged = built_warehouse.query(
            f"select {key}, updated_at as staged_at from {CLEAN_MODEL[table]}"
        )
        merged = latest.merge(staged, on=key, how="left", validate="one_to_one")
        assert (merged["staged_at"] == merged["parsed_updated_at"]).all(), table


def test_order_faults_are_quarantined(raw, reasons, test_ids):
    orders = raw["orders"].drop_duplicates()
    orders = orders[~orders["order_id"].isin(test_ids["orders"])]
    ordered_at = parse_dates(orders["order_ts"])
    n_orders = raw["orders"]["order_id"].nunique()
    expected = {
        "unparseable order_ts": int(ordered_at.isna().sum()),
        "order in the future": int((ordered_at.dt.date > pd.Timestamp.today().date()).sum()),
    }
    assert reasons["orders"] == expected
    assert expected == {
        "unparseable order_ts": exact_count(generator_config.UNPARSEABLE_ORDER_TS_RATE, n_orders),
        "order in the future": exact_count(generator_config.FUTURE_ORDER_RATE, n_orders),
    }


def test_line_faults_are_quarantined(built_warehouse, raw, reasons):
    lines = raw["order_lines"]
    products = raw["products"].drop_duplicates()
    bad_orders = set(built_warehouse.query("select order_id from quarantine_orders")["order_id"])
    known_lines = lines[lines["order_id"].isin(raw["orders"]["order_id"])]
    n_lines = len(known_lines.drop_duplicates(["order_id", "line_number"]))
    list_price = lines["product_id"].map(products.set_index("product_id")["list_price"])
    unit_price = lines["unit_price"].astype(float)
    rates = generator_config
    expected = {
        "unknown order": (
            ~lines["order_id"].isin(raw["orders"]["order_id"]),
            exact_count(rates.UNKNOWN_ORDER_RATE, n_lines),
        ),
        "order quarantined": (lines["order_id"].isin(bad_orders), None),
        "unknown product": (
            ~lines["product_id"].isin(products["product_id"]),
            exact_count(rates.UNKNOWN_PRODUCT_RATE, n_lines),
        ),
        "negative unit_price": (
            unit_price < 0,
            exact_count(rates.NEGATIVE_UNIT_PRICE_RATE, n_lines),
        ),
        "price outlier": (
            unit_price > 10 * list_price.astype(float),
            exact_count(rates.PRICE_OUTLIER_RATE, n_lines),
        ),
    }
    assert set(reasons["order_lines"]) == set(expected)
    for reason, (mask, injected) in expected.items():
        assert reasons["order_lines"][reason] == mask.sum(), reason
        if injected is not None:
            assert mask.sum() == injected, reason
    # Negative quantities are returned items: kept, with negative amounts.
    negative = built_warehouse.query(
        "select count(*) as n, max(net_amount) as top from int_order_lines where quantity < 0"
    )
    assert negative["n"].iloc[0] == exact_count(rates.NEGATIVE_QUANTITY_RATE, n_lines)
    assert negative["top"].iloc[0] < 0


def test_values_that_do_not_parse_never_reach_clean_rows(built_warehouse):
    """A raw row with a value that is present but does not parse is never clean. Clean rows keep
    no raw text, so the raw file is read here and each such row is found among the rows that did
    keep theirs (duplicate, quarantined, excluded_test)."""
    timestamp = "try_strptime(trim({}), " + str(list(DATE_FORMATS)) + ")"
    integer = "try_cast(trim({}) as integer)"
    money = "try_cast(trim({}) as decimal(18, 2))"
    checks = {
        "customers": (
            "customer_id",
            {"signup_date": timestamp, "date_of_birth": timestamp, "updated_at": timestamp},
        ),
        "orders": ("order_id", {"order_ts": timestamp, "updated_at": timestamp}),
        "products": ("product_id", {"list_price": money}),
        "order_lines": (
            "order_id",
            {"line_number": integer, "quantity": integer, "unit_price": money},
        ),
    }
    unparsed_rows = 0
    for table, (key, parsers) in checks.items():
        raw = f"read_csv('{built_warehouse.raw_dir / f'{table}.csv'}', all_varchar = true)"
        unparsed = " or ".join(
            f"(trim({column}) <> '' and {parse.format(column)} is null)"
            for column, parse in parsers.items()
        )
        same_row = " and ".join(
            f"kept.raw_{column} is not distinct from unparsed.{column}"
            for column in [key, *parsers]
        )
        counts = built_warehouse.query(
            f"""
            with unparsed as (select * from {raw} where {unparsed}),
            kept as (
                select * from {CLASSIFIED_MODEL[table]} where row_bucket <> 'clean'
            )
            select
                count(*) as unparsed_rows,
                count(*) filter (
                    where not exists (select 1 from kept where {same_row})
                ) as reached_clean
            from unparsed
            """
        )
        assert counts["reached_clean"].iloc[0] == 0, table
        unparsed_rows += counts["unparsed_rows"].iloc[0]
    # The generator injects unparseable values, so the check above is not vacuous.
    assert unparsed_rows > 0


def test_clean_rows_keep_no_raw_text_and_the_others_keep_it(built_warehouse):
    for table in TABLES:
        columns = built_warehouse.query(f"select * from {CLASSIFIED_MODEL[table]} limit 0").columns
        raw_columns = [column for column in columns if column.startswith("raw_")]
        any_raw = " or ".join(f"{column} is not null" for column in raw_columns)
        counts = built_warehouse.query(
            f"""
            select
                count(*) filter (where row_bucket = 'clean' and ({any_raw})) as clean_with_raw,
                count(*) filter (where row_bucket <> 'clean' and not ({any_raw}))
                    as others_without_raw,
                count(*) filter (where row_bucket <> 'clean') as others
            from {CLASSIFIED_MODEL[table]}
            """
        )
        assert counts["clean_with_raw"].iloc[0] == 0, table
        assert counts["others_without_raw"].iloc[0] == 0, table
        assert counts["others"].iloc[0] > 0, table


def test_text_is_standardised(built_warehouse):
    customers = built_warehouse.query("select gender, city, loyalty_tier from stg_customers")
    assert set(customers["gender"]) == {"female", "male", "other", "unknown"}
    assert (customers["city"] == "unknown").any()
    categories = built_warehouse.query("select distinct category from stg_products")["category"]
    assert len(categories) == 10
    assert all(c == " ".join(c.split()).lower() for c in categories)
    statuses = built_warehouse.query("select distinct status from int_orders")["status"]
    assert set(statuses) == {"completed", "cancelled", "returned"}


def test_parquet_input_stages_like_csv(built_warehouse, tmp_path):
    """The same seed written as Parquet gives the same staging counts as the CSV build."""
    raw_dir = tmp_path / "raw"
    generate(raw_dir, SMALL_CUSTOMERS, SMALL_SEED, fmt="parquet")
    shutil.rmtree(raw_dir / "ground_truth", ignore_errors=True)
    env = dbt_env(raw_dir, tmp_path / "build.duckdb", tmp_path / "artifacts", raw_format="parquet")
    cleaning = ("staging", "path:models/intermediate/cleaning", "path:models/marts/data_quality")
    run_dbt(env, tmp_path, "run", "--select", *cleaning)
    parquet = Warehouse(
        root=tmp_path,
        raw_dir=raw_dir,
        db_path=tmp_path / "build.duckdb",
        artifacts_dir=tmp_path / "artifacts",
        env=env,
    )
    query = "select * from data_quality_summary order by table_name"
    pd.testing.assert_frame_equal(parquet.query(query), built_warehouse.query(query))
    for table in TABLES:
        query = f"select * from {CLEAN_MODEL[table]} order by all"
        pd.testing.assert_frame_equal(parquet.query(query), built_warehouse.query(query))
