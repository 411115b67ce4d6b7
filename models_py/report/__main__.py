"""CLI: `python -m models_py.report [--served PATH] [--out DIR] [--exports DIR]`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from models_py.report.build import build_report

ROOT = Path(__file__).resolve().parents[2]


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models_py.report",
        description="Write the self-contained HTML report and per-segment CSVs from the served "
        "warehouse (opened read-only).",
    )
    parser.add_argument(
        "--served",
        type=Path,
        default=_env_path("CA_SERVED_PATH", ROOT / "warehouse" / "analytics.duckdb"),
        help="served DuckDB file (default: $CA_SERVED_PATH or warehouse/analytics.duckdb)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=_env_path("CA_REPORT_DIR", ROOT / "warehouse" / "report"),
        help="report folder; index.html is written there (default: $CA_REPORT_DIR)",
    )
    parser.add_argument(
        "--exports",
        type=Path,
        default=_env_path("CA_EXPORTS_DIR", ROOT / "warehouse" / "exports"),
        help="folder for the per-segment CSV lists (default: $CA_EXPORTS_DIR)",
    )
    args = parser.parse_args(argv)
    try:
        result = build_report(args.served, args.out, args.exports)
    except FileNotFoundError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    print(f"report written to {result.html_path} ({len(result.exports)} segment CSVs)")
    if result.unavailable_sections:
        print(f"not available yet: {', '.join(result.unavailable_sections)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
