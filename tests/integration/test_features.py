"""customer_features against an oracle: the same features recomputed in pandas straight from the
raw files, with the cleaning policy of docs/contracts.md implemented independently of the dbt
staging models. Plus point in time: features at an earlier cutoff built from scratch with
`--vars as_of_date` equal that cutoff's snapshot, and a bad cutoff is refused clearly."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import Warehouse, dbt_env, run_dbt

TEST_EMAIL_DOMAIN = "test.mallco.in"
PRICE_OUTLIER_RATIO = 10
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y%m%d")
GENDERS = {"f": "female", "female": "female", "m": "male", "male": "male", "other": "other"}
SPEND_WINDOWS = (30, 90, 365)
# The R-by-FM grid of macros/rfm_scores.sql, written out as a table: GRID[r][fm - 1].
RFM_GRID = {
    5: ["new", "potential_loyalists", "potential_loyalists", "champions", "champions"],
    4: ["promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"],
    1: ["lost", "hibernating", "at_risk", "at_risk", "cannot_lose"],
}
# Features compared as exact values; the rest are numbers compared with a tolerance.
EXACT_COLUMNS = {
    "first_order_date",
    "last_order_date",
    "recency_days",
    "tenure_days",
    "frequency",
    "orders_last_90d",
    "distinct_categories",
    "favourite_category",
    "gender",
    "age",
    "age_band",
    "city",
    "loyalty_tier",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "rfm_segment",
}
FEATURE_KEYS = ["as_of_date", "customer_id"]
# Columns the oracle computes on the way to the features, not features themselves.
ORACLE_HELPER_COLUMNS = {"date_of_birth", "online", "returned", "gross", "discount"}
SNAPSHOT_MODELS = [
    "int_feature_cutoffs",
    "int_customer_cutoff_behaviour",
    "int_customer_cutoff_categories",
    "int_customer_cutoff_demographics",
    "int_customer_rfm",
    "customer_feature_snapshots",
    "customer_features",
    "customer_label_snapshots",
    "customer_labels",
]


# ---------------------------------------------------------------------------------------------
# Independent cleaning of the raw files (docs/contracts.md, "Faults the generator injects").
# ---------------------------------------------------------------------------------------------


def read_raw(raw_dir: Path, table: str) -> pd.DataFrame:
    """A raw CSV as text, exact duplicate rows dropped."""
    frame = pd.read_csv(raw_dir / f"{table}.csv", dtype=str, keep_default_na=False)
    return frame.drop_duplicates().reset_index(drop=True)


def parse_timestamp(values: pd.Series) -> pd.Series:
    """Timestamps in any of the raw formats; NaT for anything else."""
    text = values.str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in TIMESTAMP_FORMATS:
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return parsed


def latest_version(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The record with the latest updated_at per key (re-sent records)."""
    frame = frame.assign(_updated=parse_timestamp(frame["updated_at"]))
    frame = frame.sort_values([key, "_updated"], ascending=[True, False], na_position="last")
    return frame.drop_duplicates(key).drop(columns="_updated")


@dataclass(frozen=True)
class CleanData:
    customers: pd.DataFrame  # customer_id, gender, date_of_birth, city, loyalty_tier
    orders: pd.DataFrame  # order_id, customer_id, order_date, channel, status, amounts
    lines: pd.DataFrame  # order_id, customer_id, order_date, status, category, net


def _clean_customers(raw_dir: Path) -> tuple[pd.DataFrame, set[str]]:
    """The latest profile of every real customer, and the test accounts' ids."""
    customers = read_raw(raw_dir, "customers")
    for column in customers.columns:
        customers[column] = customers[column].str.strip()
    is_test = customers["email"].str.lower().str.endswith("@" + TEST_EMAIL_DOMAIN)
    test_ids = set(customers.loc[is_test, "customer_id"])
    customers = latest_version(customers[~customers["customer_id"].isin(test_ids)], "customer_id")
    clean = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "gender": customers["gender"].str.lower().map(GENDERS).fillna("unknown"),
            "date_of_birth": parse_timestamp(customers["date_of_birth"]).dt.normalize(),
            "city": customers["city"].replace("", "unknown"),
            "loyalty_tier": customers["loyalty_tier"].str.lower(),
        }
    )
    return clean, test_ids


def _clean_products(raw_dir: Path) -> pd.DataFrame:
    products = read_raw(raw_dir, "products")
    return pd.DataFrame(
        {
            "product_id": products["product_id"].str.strip(),
            "category": products["category"].str.split().str.join(" ").str.lower(),
            "list_price": products["list_price"].astype(float),
        }
    ).drop_duplicates("product_id")


def _clean_orders(raw_dir: Path, test_ids: set[str], today: dt.date) -> pd.DataFrame:
    orders = read_raw(raw_dir, "orders")
    for column in orders.columns:
        orders[column] = orders[column].str.strip()
    orders = latest_version(orders[~orders["customer_id"].isin(test_ids)], "order_id")
    ordered_at = parse_timestamp(orders["order_ts"])
    orders = orders.assign(order_date=ordered_at.dt.normalize())
    orders = orders[ordered_at.notna() & (orders["order_date"] <= pd.Timestamp(today))]
    return pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "customer_id": orders["customer_id"],
            "order_date": orders["order_date"],
            "channel": orders["channel"].str.lower(),
            "status": orders["status"].str.lower(),
        }
    )


def _clean_lines(raw_dir: Path, orders: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Lines of clean orders and known products within the price range, with their amounts."""
    lines = read_raw(raw_dir, "order_lines")
    lines = pd.DataFrame(
        {
            "order_id": lines["order_id"].str.strip(),
            "product_id": lines["product_id"].str.strip(),
            "quantity": lines["quantity"].astype(int),
            "unit_price": lines["unit_price"].astype(float),
            "discount": lines["discount"].replace("", "0").astype(float),
        }
    )
    lines = lines.merge(orders, on="order_id").merge(products, on="product_id")
    lines = lines[
        (lines["unit_price"] >= 0)
        & (lines["unit_price"] <= PRICE_OUTLIER_RATIO * lines["list_price"])
    ]
    return lines.assign(
        gross=lines["quantity"] * lines["unit_price"],
        net=lines["quantity"] * lines["unit_price"] - lines["discount"],
    )


def clean_raw(raw_dir: Path, today: dt.date) -> CleanData:
    customers, test_ids = _clean_customers(raw_dir)
    orders = _clean_orders(raw_dir, test_ids, today)
    lines = _clean_lines(raw_dir, orders, _clean_products(raw_dir))
    totals = lines.groupby("order_id")[["gross", "discount", "net"]].sum()
    orders = orders.merge(totals, on="order_id", how="left").fillna(
        {"gross": 0.0, "discount": 0.0, "net": 0.0}
    )
    completed = orders["status"] == "completed"
    orders = orders.assign(spend=orders["net"].where(completed, 0.0))
    return CleanData(customers=customers, orders=orders, lines=lines)


# ---------------------------------------------------------------------------------------------
# Features and labels computed from the clean data.
# ---------------------------------------------------------------------------------------------


def ntile(n: int, buckets: int = 5) -> np.ndarray:
    """SQL ntile(buckets) for rows 0..n-1 already in order: the first n % buckets get one more."""
    size, extra = divmod(n, buckets)
    rows = np.arange(n)
    big = extra * (size + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        small_bucket = (rows - big) // max(size, 1) + extra + 1
    return np.where(rows < big, rows // (size + 1) + 1, small_bucket)


def rfm_scores(features: pd.DataFrame) -> pd.DataFrame:
    """r, f, m quintiles (ties by customer_id) and the segment from the grid."""
    scored = features.copy()
    orders = {
        "r_score": (["recency_days", "customer_id"], [False, True]),
        "f_score": (["frequency", "customer_id"], [True, True]),
        "m_score": (["monetary", "customer_id"], [True, True]),
    }
    for score, (columns, ascending) in orders.items():
        ranked = scored.sort_values(columns, ascending=ascending)
        scored.loc[ranked.index, score] = ntile(len(ranked))
    for score in orders:
        scored[score] = scored[score].astype(int)
    fm = (scored["f_score"] + scored["m_score"] + 1) // 2
    scored["rfm_score"] = (
        scored["r_score"].astype(str)
        + scored["f_score"].astype(str)
        + scored["m_score"].astype(str)
    )
    scored["rfm_segment"] = [RFM_GRID[r][f - 1] for r, f in zip(scored["r_score"], fm, strict=True)]
    return scored


def age_at(birth: pd.Series, at: pd.Timestamp) -> pd.Series:
    """Completed years at `at` (a 29 February birthday counts on 28 February)."""
    ages = []
    for born in birth:
        if pd.isna(born):
            ages.append(pd.NA)
            continue
        years = at.year - born.year
        if born + pd.DateOffset(years=years) > at:
            years -= 1
        ages.append(years)
    return pd.Series(ages, index=birth.index, dtype="Int64")


def age_band(age: object) -> str:
    if pd.isna(age):
        return "unknown"
    for upper, band in ((18, "<18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54")):
        if age < upper:
            return band
    return "55-64" if age < 65 else "65+"


def category_column(category: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in category.lower())
    return "share_" + "_".join(part for part in cleaned.split("_") if part)


def _oracle_categories(
    data: CleanData, cutoff: pd.Timestamp, features: pd.DataFrame
) -> pd.DataFrame:
    """Distinct categories, the favourite and the share of each category, per customer."""
    lines = data.lines[(data.lines["order_date"] <= cutoff) & (data.lines["status"] == "completed")]
    spend = lines.groupby(["customer_id", "category"])["net"].sum().unstack(fill_value=0.0)
    features["distinct_categories"] = (
        lines.groupby("customer_id")["category"].nunique().reindex(features.index).fillna(0)
    )
    total = spend.sum(axis=1)
    best = spend.T.sort_index().idxmax()  # first category by name among the largest spend
    features["favourite_category"] = best.where(spend.max(axis=1) > 0).reindex(features.index)
    for category in sorted(data.lines["category"].unique()):
        share = (spend[category] / total).where(total > 0) if category in spend else total * 0
        features[category_column(category)] = share.reindex(features.index)
    return features


def oracle_features(data: CleanData, cutoff: pd.Timestamp) -> pd.DataFrame:
    """customer_features at `cutoff`, from clean data on or before it only."""
    orders = data.orders[data.orders["order_date"] <= cutoff]
    done = orders[orders["status"] == "completed"].copy()
    done["days_before"] = (cutoff - done["order_date"]).dt.days
    done["online"] = (done["channel"] == "online").astype(int)
    per = done.groupby("customer_id")
    features = pd.DataFrame(
        {
            "first_order_date": per["order_date"].min(),
            "last_order_date": per["order_date"].max(),
            "frequency": per.size(),
            "monetary": per["spend"].sum(),
            "gross": per["gross"].sum(),
            "discount": per["discount"].sum(),
            "online": per["online"].sum(),
        }
    )
    for days in SPEND_WINDOWS:
        recent = done[done["days_before"] < days]
        features[f"spend_last_{days}d"] = recent.groupby("customer_id")["spend"].sum()
    features["orders_last_90d"] = done[done["days_before"] < 90].groupby("customer_id").size()
    returned = orders[orders["status"] == "returned"].groupby("customer_id").size()
    features["returned"] = returned.reindex(features.index).fillna(0)
    features = features.fillna({f"spend_last_{d}d": 0.0 for d in SPEND_WINDOWS})
    features = features.fillna({"orders_last_90d": 0})

    features["recency_days"] = (cutoff - features["last_order_date"]).dt.days
    features["tenure_days"] = (cutoff - features["first_order_date"]).dt.days
    span = (features["last_order_date"] - features["first_order_date"]).dt.days
    features["aov"] = features["monetary"] / features["frequency"]
    features["orders_per_month"] = features["frequency"] * 30 / features["tenure_days"].clip(30)
    features["avg_days_between_orders"] = (span / (features["frequency"] - 1)).where(
        features["frequency"] > 1
    )
    features["clv_historical"] = features["monetary"]
    features["return_rate"] = features["returned"] / (features["frequency"] + features["returned"])
    features["discount_share"] = (features["discount"] / features["gross"]).where(
        features["gross"] > 0
    )
    features["online_share"] = features["online"] / features["frequency"]

    features = _oracle_categories(data, cutoff, features)
    features = features.reset_index().merge(data.customers, on="customer_id", how="left")
    for column in ("gender", "city", "loyalty_tier"):
        features[column] = features[column].fillna("unknown")
    features["age"] = age_at(features["date_of_birth"], cutoff)
    features["age_band"] = features["age"].map(age_band)
    features = rfm_scores(features)
    features["as_of_date"] = cutoff
    return features


def oracle_labels(data: CleanData, cutoff: pd.Timestamp, horizon_days: int) -> pd.DataFrame:
    end = cutoff + pd.Timedelta(days=horizon_days)
    orders = data.orders
    window = orders[
        (orders["order_date"] > cutoff)
        & (orders["order_date"] <= end)
        & (orders["status"] == "completed")
    ]
    per = window.groupby("customer_id")
    return pd.DataFrame(
        {"orders_next_horizon": per.size(), "spend_next_horizon": per["spend"].sum()}
    )


# ---------------------------------------------------------------------------------------------
# Comparison helpers.
# ---------------------------------------------------------------------------------------------


def as_comparable(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    if values.dtype == object and len(values) and isinstance(values.dropna().iloc[0], dt.date):
        return pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    return values


def assert_same_column(name: str, actual: pd.Series, expected: pd.Series, keys: pd.Series) -> None:
    actual, expected = as_comparable(actual), as_comparable(expected)
    if name in EXACT_COLUMNS:
        a = actual.astype(object).where(actual.notna(), None)
        e = expected.astype(object).where(expected.notna(), None)
        if pd.api.types.is_numeric_dtype(actual) and pd.api.types.is_numeric_dtype(expected):
            a = a.map(lambda v: None if v is None else int(v))
            e = e.map(lambda v: None if v is None else int(v))
        bad = a.ne(e) & ~(a.isna() & e.isna())
    else:
        a = pd.to_numeric(actual, errors="coerce").astype(float)
        e = pd.to_numeric(expected, errors="coerce").astype(float)
        bad = ~(np.isclose(a, e, rtol=1e-6, atol=0.011) | (a.isna() & e.isna()))
    if bad.any():
        sample = pd.DataFrame({"key": keys, "dbt": actual, "oracle": expected})[bad.to_numpy()]
        raise AssertionError(
            f"column {name}: {int(bad.sum())} of {len(bad)} rows differ, e.g.\n{sample.head(5)}"
        )


def compare_frames(actual: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    """Same keys, then every column equal row by row (key: as_of_date, customer_id)."""
    actual = actual.assign(as_of_date=pd.to_datetime(actual["as_of_date"]))
    expected = expected.assign(as_of_date=pd.to_datetime(expected["as_of_date"]))
    merged = actual.merge(
        expected, on=FEATURE_KEYS, how="outer", suffixes=("", "__oracle"), indicator=True
    )
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"rows only on one side:\n{unmatched[[*FEATURE_KEYS, '_merge']]}"
    keys = merged["as_of_date"].dt.strftime("%Y-%m-%d") + " " + merged["customer_id"]
    for column in columns:
        assert_same_column(column, merged[column], merged[f"{column}__oracle"], keys)


# ---------------------------------------------------------------------------------------------
# Tests.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_data(built_warehouse: Warehouse) -> CleanData:
    return clean_raw(built_warehouse.raw_dir, dt.date.today())


@pytest.fixture(scope="module")
def cutoffs(built_warehouse: Warehouse) -> pd.DataFrame:
    return built_warehouse.query("select * from int_feature_cutoffs order by as_of_date")


@pytest.mark.integration
def test_default_cutoff_is_last_clean_order_date(built_warehouse, clean_data, cutoffs):
    score = cutoffs.set_index("cutoff_role").loc["score"]
    assert pd.Timestamp(score["as_of_date"]) == clean_data.orders["order_date"].max()
    horizon = int(score["horizon_days"])
    dates = pd.to_datetime(cutoffs.set_index("cutoff_role")["as_of_date"])
    assert dates["score"] - dates["evaluate"] == pd.Timedelta(days=horizon)
    assert dates["evaluate"] - dates["train"] == pd.Timedelta(days=horizon)


@pytest.mark.integration
def test_customer_features_match_pandas_oracle(built_warehouse, clean_data):
    actual = built_warehouse.query("select * from customer_features")
    cutoff = pd.Timestamp(actual["as_of_date"].iloc[0])
    expected = oracle_features(clean_data, cutoff)
    share_columns = sorted(c for c in expected.columns if c.startswith("share_"))
    assert sorted(c for c in actual.columns if c.startswith("share_")) == share_columns
    columns = [c for c in actual.columns if c not in (*FEATURE_KEYS, "cutoff_role")]
    # Every feature the oracle computes is in the warehouse: a column dropped from it fails here.
    assert set(columns) == set(expected.columns) - {*FEATURE_KEYS, *ORACLE_HELPER_COLUMNS}
    compare_frames(actual, expected, columns)


# Snapshot columns customer_features (the score cutoff's rows) may leave out: the cutoff is fixed
# there. Every other snapshot column must reach it, so a column left out of the feature list fails.
CUTOFF_ONLY_COLUMNS = {"cutoff_role"}


@pytest.mark.integration
def test_customer_features_has_every_column_of_the_snapshots(built_warehouse):
    def columns(table: str) -> set[str]:
        return set(built_warehouse.query(f"select * from {table} limit 0").columns)

    features = columns("customer_features") - CUTOFF_ONLY_COLUMNS
    assert features == columns("customer_feature_snapshots") - CUTOFF_ONLY_COLUMNS


@pytest.mark.integration
def test_every_snapshot_matches_the_oracle_at_its_cutoff(built_warehouse, clean_data, cutoffs):
    """Each earlier snapshot equals features computed from data up to its own cutoff only."""
    snapshots = built_warehouse.query(
        "select * from customer_feature_snapshots where cutoff_role != 'score'"
    )
    columns = [c for c in snapshots.columns if c not in (*FEATURE_KEYS, "cutoff_role")]
    for cutoff in pd.to_datetime(cutoffs["as_of_date"])[:-1]:
        actual = snapshots[pd.to_datetime(snapshots["as_of_date"]) == cutoff]
        assert len(actual) > 0, f"empty snapshot at {cutoff:%Y-%m-%d}"
        compare_frames(actual, oracle_features(clean_data, cutoff), columns)


@pytest.mark.integration
def test_labels_match_orders_in_the_horizon(built_warehouse, clean_data, cutoffs):
    labels = built_warehouse.query("select * from customer_label_snapshots")
    assert labels["purchased_next_horizon"].any()
    for row in cutoffs.itertuples():
        cutoff = pd.Timestamp(row.as_of_date)
        actual = labels[pd.to_datetime(labels["as_of_date"]) == cutoff].set_index("customer_id")
        expected = oracle_labels(clean_data, cutoff, int(row.horizon_days)).reindex(actual.index)
        expected = expected.fillna(0)
        assert (actual["orders_next_horizon"] == expected["orders_next_horizon"]).all()
        assert np.allclose(
            actual["spend_next_horizon"].astype(float), expected["spend_next_horizon"], atol=0.011
        )
        assert (actual["purchased_next_horizon"] == (expected["orders_next_horizon"] > 0)).all()
        horizon_end = cutoff + pd.Timedelta(days=int(row.horizon_days))
        complete = horizon_end <= clean_data.orders["order_date"].max()
        assert (actual["is_horizon_complete"] == complete).all()


@pytest.mark.integration
def test_rebuilding_at_an_earlier_cutoff_reproduces_its_snapshot(
    built_warehouse, cutoffs, tmp_path
):
    """Point in time: build the features from scratch with as_of_date = the evaluate cutoff, on a
    copy of the warehouse; the new score rows must equal the original evaluate rows exactly."""
    evaluate = pd.Timestamp(cutoffs.set_index("cutoff_role").loc["evaluate", "as_of_date"])
    db_copy = tmp_path / "shifted.duckdb"
    shutil.copy(built_warehouse.db_path, db_copy)
    env = dbt_env(built_warehouse.raw_dir, db_copy, tmp_path / "artifacts")
    run_dbt(
        env,
        tmp_path,
        "run",
        "--select",
        *SNAPSHOT_MODELS,
        "--vars",
        f"{{as_of_date: '{evaluate:%Y-%m-%d}'}}",
    )
    shifted = Warehouse(
        root=tmp_path,
        raw_dir=built_warehouse.raw_dir,
        db_path=db_copy,
        artifacts_dir=tmp_path / "artifacts",
        env=env,
    )
    rebuilt = shifted.query("select * from customer_features")
    original = built_warehouse.query(
        "select * from customer_feature_snapshots where cutoff_role = 'evaluate'"
    )
    assert len(rebuilt) == len(original) > 0
    assert (pd.to_datetime(rebuilt["as_of_date"]) == evaluate).all()
    columns = [c for c in original.columns if c not in (*FEATURE_KEYS, "cutoff_role")]
    assert list(rebuilt.columns) == list(original.columns)
    compare_frames(rebuilt, original, columns)
    rebuilt_labels = shifted.query("select * from customer_labels")
    original_labels = built_warehouse.query(
        "select * from customer_label_snapshots where cutoff_role = 'evaluate'"
    )
    label_columns = ["orders_next_horizon", "spend_next_horizon", "purchased_next_horizon"]
    compare_frames(rebuilt_labels, original_labels, label_columns)


@pytest.mark.integration
def test_malformed_cutoff_is_refused_with_a_clear_error(built_warehouse, tmp_path):
    result = run_dbt(
        built_warehouse.env,
        tmp_path,
        "parse",
        "--vars",
        "{as_of_date: '30/06/2024'}",
        check=False,
    )
    assert result.returncode != 0
    assert "as_of_date must be a date written YYYY-MM-DD" in result.stdout
