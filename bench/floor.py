"""The floor: one hand-written DuckDB query from the raw files to customer_features.

    python -m bench.floor --raw-dir DIR --format parquet --out features.parquet

Runs bench/floor.sql (dedup, cleaning, quarantine rules and aggregation in CTEs of one statement)
on an in-memory DuckDB connection, writes the result to Parquet and prints one JSON line with the
query time. No dbt, no intermediate tables."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

SQL_PATH = Path(__file__).with_name("floor.sql")
# The ten categories of the demo data (docs/contracts.md); share_<category> columns for these.
CATEGORIES = (
    "apparel",
    "beauty",
    "electronics",
    "food court",
    "footwear",
    "grocery",
    "home",
    "jewellery",
    "kids",
    "sports",
)
DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y%m%d"]
TABLES = ("customers", "products", "orders", "order_lines")


def share_column(category: str) -> str:
    """share_<category> with the name sanitised like the dbt macro category_column_name."""
    return "share_" + (re.sub("[^a-z0-9]+", "_", category.lower()).strip("_") or "blank")


def raw_relation(raw_dir: Path, table: str, fmt: str) -> str:
    path = str(Path(raw_dir) / f"{table}.{fmt}").replace("'", "''")
    if fmt == "parquet":
        return f"read_parquet('{path}')"
    if fmt == "csv":
        return f"read_csv('{path}', header = true, all_varchar = true)"
    raise ValueError(f"unknown raw format {fmt!r} (csv or parquet)")


def floor_sql(
    raw_dir: Path,
    fmt: str = "parquet",
    categories: tuple[str, ...] = CATEGORIES,
    test_domain: str = "test.mallco.in",
    price_outlier_ratio: float = 10,
    max_valid_date: str | None = None,
) -> str:
    """The floor statement with its placeholders filled."""
    for table in TABLES:
        path = Path(raw_dir) / f"{table}.{fmt}"
        if not path.exists():
            raise FileNotFoundError(f"raw file {path} is missing")
    sums = []
    shares = []
    for category in categories:
        name = share_column(category)
        literal = category.replace("'", "''")
        sums.append(f"sum(case when category = '{literal}' then spend_amount else 0 end) as {name}")
        shares.append(
            f"case when cat.category_spend > 0 then cat.{name} / cat.category_spend end as {name},"
        )
    valid = f"cast('{max_valid_date}' as date)" if max_valid_date else "current_date"
    values = {
        **{table: raw_relation(Path(raw_dir), table, fmt) for table in TABLES},
        "formats": "[" + ", ".join(f"'{f}'" for f in DATE_FORMATS) + "]",
        "test_domain": test_domain.lower().replace("'", "''"),
        "price_outlier_ratio": str(float(price_outlier_ratio)),
        "max_valid_date": valid,
        "share_sums": ",\n        ".join(sums) if sums else "0 as no_categories",
        "share_columns": "\n        ".join(shares),
    }
    sql = SQL_PATH.read_text()
    # Fill only the known placeholders ({name}); regex quantifiers like \s+ are left alone.
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), sql)


def floor_features(raw_dir: Path, fmt: str = "parquet", **kwargs) -> pd.DataFrame:
    """customer_features computed by the floor query, as a DataFrame (for checks)."""
    with duckdb.connect() as con:
        return con.sql(floor_sql(raw_dir, fmt, **kwargs)).df()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--raw-dir", required=True, type=Path)
    parser.add_argument("--format", default="parquet", choices=["csv", "parquet"], dest="fmt")
    parser.add_argument("--out", required=True, type=Path, help="Parquet file for the result")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default all)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 8GB")
    args = parser.parse_args(argv)
    sql = floor_sql(args.raw_dir, args.fmt)
    con = duckdb.connect()
    if args.threads:
        con.execute(f"set threads = {int(args.threads)}")
    if args.memory_limit:
        con.execute(f"set memory_limit = '{args.memory_limit}'")
    out = str(args.out).replace("'", "''")
    started = time.perf_counter()
    con.execute(f"copy ({sql}) to '{out}' (format parquet)")
    seconds = time.perf_counter() - started
    rows = con.execute(f"select count(*) from read_parquet('{out}')").fetchone()[0]
    con.close()
    print(json.dumps({"stage": "floor", "seconds": seconds, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
