"""Command-line entry point: `python -m models_py.cli <command>` (also `customer-analytics`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from models_py.summary import format_run_warnings, format_summary, table_row_counts

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = ROOT / "warehouse" / "build.duckdb"


def _summary(args: argparse.Namespace) -> int:
    db_path = Path(args.warehouse)
    print(format_summary(table_row_counts(db_path), db_path))
    with duckdb.connect(str(db_path), read_only=True) as con:
        warnings = format_run_warnings(con)
    if warnings:
        print(warnings)
    # Where users go next: the file BI tools open, and the report.
    served = Path(os.environ.get("CA_SERVED_PATH", str(ROOT / "warehouse" / "analytics.duckdb")))
    report = Path(os.environ.get("CA_REPORT_DIR", str(ROOT / "warehouse" / "report")))
    if served.exists():
        print(f"Served for BI tools and SQL (open read-only): {served}")
    if (report / "index.html").exists():
        print(f"Report: {report / 'index.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="customer-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="list the warehouse's tables with row counts")
    summary.add_argument(
        "--warehouse",
        default=os.environ.get("CA_WAREHOUSE_PATH", str(DEFAULT_WAREHOUSE)),
        help="DuckDB file to summarise (default: $CA_WAREHOUSE_PATH or warehouse/build.duckdb)",
    )
    summary.set_defaults(handler=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
