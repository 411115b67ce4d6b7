"""Command line entry of the demo data generator.

    python -m models_py generate --customers 20000 --seed 42 --out warehouse/raw --format csv

Writes customers, products, orders and order_lines (csv or parquet) plus
ground_truth/customer_types.csv. See docs/demo_data.md for the behaviour and the fault rates."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from models_py.demo_data import config as config
from models_py.demo_data import generate
from models_py.demo_data.calendar import Season
from models_py.demo_data.config import *  # noqa: F403  (fault rates importable from here)
from models_py.demo_data.core import SHARD_CUSTOMERS
from models_py.demo_data.writer import FORMATS

__all__ = ["config", "generate", "main"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m models_py generate",
        description="Write the seeded demo retail extract (raw files + ground truth).",
    )
    parser.add_argument("--customers", type=int, default=20_000, help="number of customers")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same bytes)")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
    parser.add_argument(
        "--end-date",
        type=dt.date.fromisoformat,
        default=config.DEFAULT_END_DATE,
        help="last day of history, YYYY-MM-DD (default %(default)s)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument(
        "--seasonality",
        type=float,
        default=0.0,
        help="yearly swing of purchase rates, a share in [0, 1) (default 0: none)",
    )
    parser.add_argument(
        "--trend", type=float, default=0.0, help="growth of purchase rates a year (default 0)"
    )
    parser.add_argument(
        "--peak-month", type=int, default=11, help="month the --seasonality cycle peaks (1-12)"
    )
    # Advanced: customers drawn at once (larger runs go in shards of about this size).
    parser.add_argument(
        "--shard-customers", type=int, default=SHARD_CUSTOMERS, help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        season = Season(args.seasonality, args.trend, args.peak_month)
        counts = generate(
            args.customers,
            args.seed,
            args.out,
            args.fmt,
            args.end_date,
            not args.no_progress,
            shard_customers=args.shard_customers,
            season=season,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{table} {n:,}" for table, n in counts.items())
    elapsed = time.perf_counter() - started
    print(f"wrote {args.out} ({args.fmt}) in {elapsed:.1f}s: {rows}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
