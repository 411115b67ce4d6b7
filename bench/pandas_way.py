"""The pandas way: the pipeline written the way a notebook would, for the benchmark comparison.

    python -m bench.pandas_way --raw-dir DIR --format parquet --out-dir DIR

Reads the raw files with pandas, cleans and deduplicates them with boolean masks, sort_values and
drop_duplicates (the same rules as the dbt staging models, docs/contracts.md), computes
customer_features at the three cutoffs (train, evaluate, score) with groupby, the labels and the
last-window baseline inputs, then fits the same scikit-learn models through models_py (K-Means k
selection and segments; purchase/spend candidates, baselines, scoring, permutation importance).
Prints one JSON line per stage ({"stage", "seconds"}) and writes customer_features.parquet
(the score cutoff) to --out-dir.

Covered: every customer_features column (core RFM/AOV/spend windows, ratios, category shares,
favourite category, demographics, RFM scores and segments). Not covered: the quarantine tables,
data-quality counts and the reporting tables (a notebook stops at the model outputs).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from models_py.byod.shape import CONTRACT
from models_py.settings import project_vars

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y%m%d")
STATUSES = ("completed", "cancelled", "returned")
TIERS = ("none", "silver", "gold", "platinum")
GENDERS = {
    **dict.fromkeys(("f", "female", "woman", "w"), "female"),
    **dict.fromkeys(("m", "male", "man"), "male"),
    **dict.fromkeys(("o", "other", "non-binary", "nonbinary", "x"), "other"),
}
# The raw contract's columns per file, in file order (the same list the bring-your-own-data
# loader checks against).
RAW_COLUMNS = {table: list(columns) for table, columns in CONTRACT.items()}


# ---------------------------------------------------------------- reading and cleaning helpers


def read_raw(raw_dir: Path, table: str, fmt: str) -> pd.DataFrame:
    path = Path(raw_dir) / f"{table}.{fmt}"
    if not path.exists():
        raise FileNotFoundError(f"raw file {path} is missing")
    if fmt == "parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in RAW_COLUMNS[table] if c not in frame.columns]
    if missing:
        raise KeyError(f"{path}: missing column(s) {missing}")
    return frame[RAW_COLUMNS[table]].astype("string")


def clean_text(values: pd.Series) -> pd.Series:
    """Trimmed text; blank becomes missing."""
    return values.str.strip().replace("", pd.NA)


def collapse(values: pd.Series) -> pd.Series:
    return values.str.replace(r"\s+", " ", regex=True)


def parse_dates(values: pd.Series) -> pd.Series:
    """Timestamps from the mixed raw formats; anything else is NaT."""
    text = values.astype(object).where(values.notna(), None)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in DATE_FORMATS:
        todo = out.isna() & values.notna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return out


def to_number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(object), errors="coerce").astype(float)


def latest_first(
    frame: pd.DataFrame, key: list[str], raw: list[str], by: list[str]
) -> pd.DataFrame:
    """Sort so the row to keep comes first per key (by descending, then raw values ascending)."""
    return frame.sort_values(
        [*key, *by, *raw],
        ascending=[True] * len(key) + [False] * len(by) + [True] * len(raw),
        na_position="last",
        kind="mergesort",
    )


# ---------------------------------------------------------------- staging


def clean_customers(raw: pd.DataFrame, test_domain: str) -> tuple[pd.DataFrame, set]:
    """Clean customers (latest version, valid values, no test accounts) and the test ids."""
    df = raw.add_prefix("raw_")
    df["customer_id"] = clean_text(raw["customer_id"])
    df["email"] = clean_text(raw["email"]).str.lower()
    test = df["customer_id"].notna() & df["email"].str.endswith("@" + test_domain.lower(), na=False)
    test_ids = set(df.loc[test, "customer_id"])
    df = df[df["customer_id"].notna() & ~df["customer_id"].isin(test_ids)].copy()
    df["updated_at_text"] = clean_text(df["raw_updated_at"])
    df["updated_at"] = parse_dates(df["updated_at_text"])
    df = latest_first(
        df, ["customer_id"], [f"raw_{c}" for c in RAW_COLUMNS["customers"]], ["updated_at"]
    )
    df = df.drop_duplicates("customer_id", keep="first")
    dob_text = clean_text(df["raw_date_of_birth"])
    signup_text = clean_text(df["raw_signup_date"])
    df["date_of_birth"] = parse_dates(dob_text).dt.normalize()
    signup = parse_dates(signup_text)
    df["loyalty_tier"] = clean_text(df["raw_loyalty_tier"]).str.lower().fillna("none")
    ok = (
        ~(df["updated_at_text"].notna() & df["updated_at"].isna())
        & ~(dob_text.notna() & df["date_of_birth"].isna())
        & ~(signup_text.notna() & signup.isna())
        & df["loyalty_tier"].isin(TIERS)
    )
    df = df[ok].copy()
    gender = clean_text(df["raw_gender"]).str.lower()
    df["gender"] = gender.map(GENDERS).fillna("unknown").astype("string")
    df["city"] = collapse(clean_text(df["raw_city"])).fillna("unknown")
    return df[["customer_id", "gender", "date_of_birth", "city", "loyalty_tier"]], test_ids


def clean_orders(raw: pd.DataFrame, test_ids: set, max_valid_date: pd.Timestamp) -> pd.DataFrame:
    df = raw.add_prefix("raw_")
    df["order_id"] = clean_text(raw["order_id"])
    df["customer_id"] = clean_text(raw["customer_id"])
    df = df[df["order_id"].notna()].copy()
    test_orders = set(df.loc[df["customer_id"].isin(test_ids), "order_id"])
    df = df[~df["order_id"].isin(test_orders)].copy()
    df["updated_at_text"] = clean_text(df["raw_updated_at"])
    df["updated_at"] = parse_dates(df["updated_at_text"])
    df = latest_first(df, ["order_id"], [f"raw_{c}" for c in RAW_COLUMNS["orders"]], ["updated_at"])
    df = df.drop_duplicates("order_id", keep="first").copy()
    df["ordered_at"] = parse_dates(clean_text(df["raw_order_ts"]))
    df["order_date"] = df["ordered_at"].dt.normalize()
    df["status"] = clean_text(df["raw_status"]).str.lower()
    df["channel"] = clean_text(df["raw_channel"]).str.lower()
    ok = (
        df["customer_id"].notna()
        & df["ordered_at"].notna()
        & (df["order_date"] <= max_valid_date)
        & ~(df["updated_at_text"].notna() & df["updated_at"].isna())
        & df["status"].isin(STATUSES)
        & df["channel"].isin(("store", "online"))
    )
    return df.loc[ok, ["order_id", "customer_id", "order_date", "status", "channel"]]


def clean_products(raw: pd.DataFrame) -> pd.DataFrame:
    df = raw.add_prefix("raw_")
    df["product_id"] = clean_text(raw["product_id"])
    df["list_price"] = to_number(clean_text(raw["list_price"])).round(2)
    df["category"] = collapse(clean_text(raw["category"])).str.lower().fillna("unknown")
    df = df[df["product_id"].notna() & df["list_price"].notna() & (df["list_price"] >= 0)]
    df = latest_first(df, ["product_id"], [f"raw_{c}" for c in RAW_COLUMNS["products"]], [])
    df = df.drop_duplicates("product_id", keep="first")
    return df[["product_id", "category", "list_price"]]


def clean_lines(
    raw: pd.DataFrame, orders: pd.DataFrame, products: pd.DataFrame, outlier_ratio: float
) -> pd.DataFrame:
    df = raw.add_prefix("raw_")
    df["order_id"] = clean_text(raw["order_id"])
    df["product_id"] = clean_text(raw["product_id"])
    df["line_number"] = to_number(clean_text(raw["line_number"]))
    df["quantity"] = to_number(clean_text(raw["quantity"]))
    df["unit_price"] = to_number(clean_text(raw["unit_price"])).round(2)
    discount_text = clean_text(raw["discount"])
    df["discount"] = to_number(discount_text).round(2)
    df.loc[discount_text.isna(), "discount"] = 0.0
    df = df.merge(orders[["order_id"]], on="order_id", how="inner")
    df = df.merge(products, on="product_id", how="inner")
    ok = (
        df["line_number"].notna()
        & df["quantity"].notna()
        & df["unit_price"].notna()
        & (df["unit_price"] >= 0)
        & df["discount"].notna()
        & ~(df["unit_price"] > outlier_ratio * df["list_price"])
    )
    df = df[ok]
    df = latest_first(
        df, ["order_id", "line_number"], [f"raw_{c}" for c in RAW_COLUMNS["order_lines"]], []
    )
    df = df.drop_duplicates(["order_id", "line_number"], keep="first").copy()
    df["gross_amount"] = (df["quantity"] * df["unit_price"]).round(2)
    df["net_amount"] = (df["quantity"] * df["unit_price"] - df["discount"]).round(2)
    return df[["order_id", "category", "gross_amount", "discount", "net_amount"]]


def order_totals(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    totals = lines.groupby("order_id", as_index=False).agg(
        gross_amount=("gross_amount", "sum"),
        discount_amount=("discount", "sum"),
        net_amount=("net_amount", "sum"),
    )
    out = orders.merge(totals, on="order_id", how="left")
    out[["gross_amount", "discount_amount", "net_amount"]] = out[
        ["gross_amount", "discount_amount", "net_amount"]
    ].fillna(0.0)
    out["spend_amount"] = out["net_amount"].where(out["status"] == "completed", 0.0)
    return out


# ---------------------------------------------------------------- features


def ntile(order: pd.DataFrame, columns: list[str], ascending: list[bool], n: int = 5) -> pd.Series:
    """SQL ntile(n) over the given order: bucket sizes differ by at most one, larger first."""
    ranked = order.sort_values(columns, ascending=ascending, kind="mergesort")
    rows = len(ranked)
    size, extra = divmod(rows, n)
    i = np.arange(rows)
    big = extra * (size + 1)
    bucket = np.where(i < big, i // max(size + 1, 1), extra + (i - big) // max(size, 1)) + 1
    return pd.Series(bucket, index=ranked.index).reindex(order.index)


def share_column(category: str) -> str:
    return "share_" + (re.sub("[^a-z0-9]+", "_", str(category).lower()).strip("_") or "blank")


def age_at(dob: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    years = as_of.year - dob.dt.year
    birthday = dob.dt.month * 100 + dob.dt.day
    leap = as_of.is_leap_year
    birthday = birthday.where(~((birthday == 229) & (not leap)), 228)
    not_yet = birthday > as_of.month * 100 + as_of.day
    return (years - not_yet.astype(float)).astype("Int64")


def age_band(age: pd.Series) -> pd.Series:
    bins = [-np.inf, 18, 25, 35, 45, 55, 65, np.inf]
    labels = ["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    band = pd.cut(age.astype(float), bins=bins, labels=labels, right=False).astype(object)
    return band.where(age.notna(), "unknown")


def rfm_segment(r: int, fm: int) -> str:
    if r == 5 and fm >= 4:
        return "champions"
    if r >= 3 and fm >= 4:
        return "loyal"
    if r >= 4 and fm >= 2:
        return "potential_loyalists"
    if r == 5:
        return "new"
    if r == 4:
        return "promising"
    if r == 3:
        return "need_attention" if fm == 3 else "about_to_sleep"
    if fm == 5:
        return "cannot_lose"
    if fm >= 3:
        return "at_risk"
    return "lost" if r == 1 and fm == 1 else "hibernating"


def _order_flags(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Orders on or before the cutoff with the per-order amounts the features sum."""
    o = orders[orders["order_date"] <= as_of].copy()
    completed = o["status"] == "completed"
    days_before = (as_of - o["order_date"]).dt.days
    o["completed"] = completed.astype(int)
    o["returned"] = (o["status"] == "returned").astype(int)
    o["online"] = (completed & (o["channel"] == "online")).astype(int)
    o["completed_date"] = o["order_date"].where(completed)
    o["completed_gross"] = o["gross_amount"].where(completed, 0.0)
    o["completed_discount"] = o["discount_amount"].where(completed, 0.0)
    for days in (30, 90, 365):
        o[f"spend_last_{days}d"] = o["spend_amount"].where(days_before < days, 0.0)
    o["orders_last_90d"] = o["completed"].where(days_before < 90, 0)
    return o


def _behaviour(o: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Recency, frequency, spend and the ratios, one row per customer with a completed order."""
    f = o.groupby("customer_id").agg(
        first_order_date=("completed_date", "min"),
        last_order_date=("completed_date", "max"),
        frequency=("completed", "sum"),
        returned_orders=("returned", "sum"),
        online_orders=("online", "sum"),
        gross=("completed_gross", "sum"),
        discount=("completed_discount", "sum"),
        monetary=("spend_amount", "sum"),
        spend_last_30d=("spend_last_30d", "sum"),
        spend_last_90d=("spend_last_90d", "sum"),
        spend_last_365d=("spend_last_365d", "sum"),
        orders_last_90d=("orders_last_90d", "sum"),
    )
    f = f[f["frequency"] > 0].reset_index()
    f["as_of_date"] = as_of
    f["recency_days"] = (as_of - f["last_order_date"]).dt.days
    f["tenure_days"] = (as_of - f["first_order_date"]).dt.days
    span = (f["last_order_date"] - f["first_order_date"]).dt.days
    for column in ("monetary", "spend_last_30d", "spend_last_90d", "spend_last_365d"):
        f[column] = f[column].round(2)
    f["aov"] = (f["monetary"] / f["frequency"]).round(2)
    f["orders_per_month"] = f["frequency"] * 30.0 / f["tenure_days"].clip(lower=30)
    f["avg_days_between_orders"] = (span / (f["frequency"] - 1)).where(f["frequency"] > 1)
    f["clv_historical"] = f["monetary"]
    f["return_rate"] = f["returned_orders"] / (f["frequency"] + f["returned_orders"])
    f["discount_share"] = (f["discount"] / f["gross"]).where(f["gross"] > 0)
    f["online_share"] = f["online_orders"] / f["frequency"]
    return f


def _category_mix(o: pd.DataFrame, lines: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """Category shares, distinct categories and the favourite, from completed orders' lines."""
    done = o.loc[o["status"] == "completed", ["order_id", "customer_id"]]
    cat = lines.merge(done, on="order_id", how="inner")
    cat = cat.groupby(["customer_id", "category"], as_index=False)["net_amount"].sum()
    pivot = cat.pivot_table(
        index="customer_id", columns="category", values="net_amount", aggfunc="sum", fill_value=0.0
    )
    total = pivot.sum(axis=1)
    shares = pd.DataFrame(index=pivot.index)
    for category in categories:
        spend = pivot[category] if category in pivot.columns else 0.0
        shares[share_column(category)] = (spend / total).where(total > 0)
    shares["distinct_categories"] = cat.groupby("customer_id").size()
    top = cat.sort_values(["customer_id", "net_amount", "category"], ascending=[True, False, True])
    top = top.drop_duplicates("customer_id")
    shares["favourite_category"] = top.set_index("customer_id")["category"].where(
        top.set_index("customer_id")["net_amount"] > 0
    )
    return shares.reset_index()


def _rfm(f: pd.DataFrame) -> pd.DataFrame:
    """RFM quintiles, score and segment."""
    f["r_score"] = ntile(f, ["recency_days", "customer_id"], [False, True])
    f["f_score"] = ntile(f, ["frequency", "customer_id"], [True, True])
    f["m_score"] = ntile(f, ["monetary", "customer_id"], [True, True])
    fm = np.floor((f["f_score"] + f["m_score"] + 1) / 2.0).astype(int)
    f["rfm_score"] = f["r_score"].astype(str) + f["f_score"].astype(str) + f["m_score"].astype(str)
    f["rfm_segment"] = [rfm_segment(r, m) for r, m in zip(f["r_score"], fm, strict=True)]
    return f


def features_at(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    categories: list[str],
) -> pd.DataFrame:
    """customer_features at one cutoff, from events on or before it."""
    o = _order_flags(orders, as_of)
    f = _behaviour(o, as_of)
    f = f.merge(_category_mix(o, lines, categories), on="customer_id", how="left")
    f["distinct_categories"] = f["distinct_categories"].fillna(0).astype(int)
    # Demographics from the latest clean profile.
    f = f.merge(customers, on="customer_id", how="left")
    f["age"] = age_at(f["date_of_birth"], as_of)
    f["age_band"] = age_band(f["age"])
    for column in ("gender", "city", "loyalty_tier"):
        f[column] = f[column].fillna("unknown")
    f = _rfm(f)
    return f.drop(columns=["gross", "discount", "online_orders", "date_of_birth"])


def labels_at(
    orders: pd.DataFrame, features: pd.DataFrame, as_of: pd.Timestamp, horizon: int, end
) -> pd.DataFrame:
    """What each snapshot customer did in the horizon after the cutoff."""
    window = orders[
        (orders["order_date"] > as_of)
        & (orders["order_date"] <= as_of + pd.Timedelta(days=horizon))
    ]
    window = window.assign(completed=(window["status"] == "completed").astype(int))
    agg = window.groupby("customer_id").agg(
        orders_next_horizon=("completed", "sum"),
        spend_next_horizon=("spend_amount", "sum"),
    )
    out = features[["customer_id", "as_of_date", "cutoff_role"]].merge(
        agg.reset_index(), on="customer_id", how="left"
    )
    out["orders_next_horizon"] = out["orders_next_horizon"].fillna(0).astype(int)
    out["spend_next_horizon"] = out["spend_next_horizon"].fillna(0.0).round(2)
    out["purchased_next_horizon"] = out["orders_next_horizon"] > 0
    out["horizon_days"] = horizon
    out["is_horizon_complete"] = as_of + pd.Timedelta(days=horizon) <= end
    return out


def last_window_at(
    orders: pd.DataFrame, features: pd.DataFrame, as_of: pd.Timestamp, horizon: int
) -> pd.DataFrame:
    """Spend and completed orders in the horizon up to the cutoff (the last_window baseline)."""
    start = as_of - pd.Timedelta(days=horizon)
    window = orders[(orders["order_date"] > start) & (orders["order_date"] <= as_of)]
    window = window.assign(completed=(window["status"] == "completed").astype(int))
    agg = window.groupby("customer_id").agg(
        spend_last_horizon=("spend_amount", "sum"),
        orders_last_horizon=("completed", "sum"),
    )
    out = features[["customer_id", "as_of_date"]].merge(
        agg.reset_index(), on="customer_id", how="left"
    )
    out["spend_last_horizon"] = out["spend_last_horizon"].fillna(0.0).round(2)
    out["orders_last_horizon"] = out["orders_last_horizon"].fillna(0).astype(int)
    out["horizon_days"] = horizon
    return out


# ---------------------------------------------------------------- the notebook, stage by stage


@contextmanager
def stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    print(f"[pandas] {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    print(json.dumps({"stage": name, "seconds": timings[name]}), flush=True)


def _cleaned(raw_dir: Path, fmt: str, v: dict, timings: dict[str, float]) -> tuple:
    """Customers, orders, products and lines, read and cleaned as staging does."""
    max_valid = pd.Timestamp(v["max_valid_date"] or pd.Timestamp.today().normalize())
    with stage("load", timings):
        raw = {table: read_raw(raw_dir, table, fmt) for table in RAW_COLUMNS}
    with stage("staging", timings):
        customers, test_ids = clean_customers(raw["customers"], v["test_account_email_domain"])
        orders = clean_orders(raw["orders"], test_ids, max_valid)
        products = clean_products(raw["products"])
        lines = clean_lines(raw["order_lines"], orders, products, float(v["price_outlier_ratio"]))
    return customers, orders, products, lines


def _snapshots(customers, orders, products, lines, horizon: int) -> dict[str, pd.DataFrame]:
    """Feature snapshots, labels and last-window amounts at the three cutoffs."""
    orders = order_totals(orders, lines)
    end = orders["order_date"].max()
    categories = sorted(products["category"].unique())
    cutoffs = {
        "score": end,
        "evaluate": end - pd.Timedelta(days=horizon),
        "train": end - pd.Timedelta(days=2 * horizon),
    }
    snapshots, labels, windows = [], [], []
    for role, as_of in cutoffs.items():
        feats = features_at(orders, lines, customers, as_of, categories)
        feats["cutoff_role"] = role
        snapshots.append(feats)
        labels.append(labels_at(orders, feats, as_of, horizon, end))
        windows.append(last_window_at(orders, feats, as_of, horizon))
    return {
        "snapshots": pd.concat(snapshots, ignore_index=True),
        "labels": pd.concat(labels, ignore_index=True),
        "windows": pd.concat(windows, ignore_index=True),
    }


def _segments(features: pd.DataFrame, v: dict) -> pd.DataFrame:
    from models_py.segmentation.kmeans import CustomerSegmenter, assign_segments, select_k
    from models_py.settings import segment_settings_from_vars

    settings = segment_settings_from_vars(v.get)
    selection = select_k(features, settings)
    k = int(selection.loc[selection["is_selected"], "k"].iloc[0])
    segmenter = CustomerSegmenter(replace(settings, n_clusters=k)).fit(features)
    as_of = features["as_of_date"].max()
    table = segmenter.model_table(run_id="pandas", fitted_at=None, as_of_date=as_of)
    return assign_segments(features, table)


def _predictions(snapshots: dict[str, pd.DataFrame], v: dict) -> dict[str, pd.DataFrame]:
    from models_py.prediction.artifacts import load_frames
    from models_py.prediction.importance import feature_importance
    from models_py.prediction.scoring import score_customers
    from models_py.prediction.training import train_and_evaluate
    from models_py.settings import prediction_settings_from_vars

    settings = prediction_settings_from_vars(v.get)
    frames, _ = load_frames(snapshots["snapshots"], snapshots["windows"], snapshots["labels"])
    trained = train_and_evaluate(frames, settings)
    final = {m.task: m for m in trained.models if m.fit_role == "final" and m.is_published}
    out = {
        "predictions": score_customers(
            frames["score"],
            final["purchase"],
            final["spend"],
            final["clv"].estimator,
            settings.horizon_days,
            settings.clv_days,
        )
    }
    chosen = [m for m in trained.models if m.fit_role == "evaluation" and m.kind == "candidate"]
    if chosen:
        out["importance"] = feature_importance(chosen, frames["evaluate"], settings)
    return out


def run(raw_dir: Path, fmt: str, out_dir: Path | None = None, ml: bool = True) -> dict:
    """Run the pandas way; returns {"timings", "features" (score cutoff), ...}."""
    v = project_vars()
    timings: dict[str, float] = {}
    result: dict = {"timings": timings}
    customers, orders, products, lines = _cleaned(raw_dir, fmt, v, timings)
    with stage("features", timings):
        snapshots = _snapshots(customers, orders, products, lines, int(v["horizon_days"]))
        all_rows = snapshots["snapshots"]
        features = all_rows[all_rows["cutoff_role"] == "score"].reset_index(drop=True)
        result["features"] = features
        if out_dir is not None:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            features.to_parquet(Path(out_dir) / "customer_features.parquet", index=False)
    if not ml:
        return result
    with stage("segmentation", timings):
        result["segments"] = _segments(features, v)
    with stage("prediction", timings):
        result.update(_predictions(snapshots, v))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pandas_way", description=__doc__)
    parser.add_argument("--raw-dir", required=True, type=Path)
    parser.add_argument("--format", default="parquet", choices=["csv", "parquet"], dest="fmt")
    parser.add_argument("--out-dir", type=Path, default=None)
    parser.add_argument("--no-ml", action="store_true", help="stop after the features")
    args = parser.parse_args(argv)
    run(args.raw_dir, args.fmt, args.out_dir, ml=not args.no_ml)
    return 0


if __name__ == "__main__":
    sys.exit(main())
