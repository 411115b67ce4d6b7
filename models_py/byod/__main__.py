"""`python -m models_py.byod prepare --config my.yml --out DIR`: validate and prepare a retailer's
own files; exit status 2 with a message naming the file, column and rows when the input is bad.
`python -m models_py.byod vars --config my.yml`: print the dbt `--vars` JSON for the config.
`python -m models_py.byod sample --shape flat|log --out DIR`: write a seeded sample export and its
config (DIR/config.yml) to try the path on."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from models_py.byod.config import ByodError, load_config
from models_py.byod.prepare import dbt_vars, format_summary, prepare
from models_py.byod.samples import (
    FLAT_INVOICE_CONFIG,
    TRANSACTION_LOG_CONFIG,
    write_flat_invoices,
    write_transaction_log,
)

SAMPLES = {
    "flat": ("online_retail.csv", write_flat_invoices, FLAT_INVOICE_CONFIG),
    "log": ("transactions.txt", write_transaction_log, TRANSACTION_LOG_CONFIG),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models_py byod", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("prepare", help="validate the files and write the prepared folder")
    run.add_argument("--config", required=True, help="the YAML config")
    run.add_argument("--out", required=True, help="prepared folder (replaced only on success)")
    show = commands.add_parser("vars", help="print the dbt --vars JSON for the config")
    show.add_argument("--config", required=True)
    sample = commands.add_parser("sample", help="write a sample export and its config")
    sample.add_argument("--shape", choices=sorted(SAMPLES), default="flat")
    sample.add_argument("--out", required=True)
    sample.add_argument("--customers", type=int, default=400)
    return parser


def _sample(shape: str, out: str, customers: int) -> int:
    name, writer, config = SAMPLES[shape]
    path = writer(Path(out) / name, customers=customers)
    (Path(out) / "config.yml").write_text(config.format(path=name), encoding="utf-8")
    print(f"wrote {path} and {Path(out) / 'config.yml'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sample":
        return _sample(args.shape, args.out, args.customers)
    try:
        config = load_config(args.config)
        if args.command == "vars":
            print(json.dumps(dbt_vars(config)))
            return 0
        summary = prepare(config, args.out)
    except ByodError as error:
        print(f"error: {error}", file=sys.stderr)
        print(
            "nothing was written; the previous prepared data and warehouse are untouched",
            file=sys.stderr,
        )
        return 2
    print(format_summary(summary, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
