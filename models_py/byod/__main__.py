"""`python -m models_py.byod prepare --config my.yml --out DIR`: validate and prepare a retailer's
own files; exit status 2 with a message naming the file, column and rows when the input is bad.
`python -m models_py.byod vars --config my.yml`: print the dbt `--vars` JSON for the config.
`python -m models_py.byod sample --config my.yml [--out DIR]`: write seeded sample files in exactly
the shape the config describes, where it points (or, with --out, under DIR beside a copy of the
config), e.g. to try an example config of examples/ on a clean clone.
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
    sample_config_copy,
    write_config_sample,
)

SAMPLES = {
    "flat": ("online_retail.csv", FLAT_INVOICE_CONFIG),
    "log": ("transactions.txt", TRANSACTION_LOG_CONFIG),
}
SAMPLE_SEED = 7


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models_py byod", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("prepare", help="validate the files and write the prepared folder")
    run.add_argument("--config", required=True, help="the YAML config")
    run.add_argument("--out", required=True, help="prepared folder (replaced only on success)")
    show = commands.add_parser("vars", help="print the dbt --vars JSON for the config")
    show.add_argument("--config", required=True)
    sample = commands.add_parser(
        "sample", help="write seeded sample files in a config's shape (or a sample export)"
    )
    given = sample.add_mutually_exclusive_group(required=True)
    given.add_argument("--config", help="write the files this config reads, in its shape")
    given.add_argument("--shape", choices=sorted(SAMPLES), help="a sample export + config.yml")
    sample.add_argument("--out", help="folder (with --config: beside a copy of the config)")
    sample.add_argument("--customers", type=int, default=400)
    sample.add_argument("--seed", type=int, default=SAMPLE_SEED)
    sample.add_argument("--overwrite", action="store_true", help="replace files already there")
    return parser


def _sample(args: argparse.Namespace) -> int:
    """The sample subcommand; the config it wrote or read and the files, printed."""
    if args.shape is not None:
        if args.out is None:
            raise ByodError("sample --shape: give --out DIR (the sample and its config.yml)")
        name, template = SAMPLES[args.shape]
        config_path = Path(args.out) / "config.yml"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        config_path.write_text(template.format(path=name), encoding="utf-8")
    else:
        config_path = Path(args.config)
        if args.out is not None:
            config_path = sample_config_copy(config_path, args.out)
    config = load_config(config_path)
    paths = write_config_sample(config, args.customers, args.seed, args.overwrite)
    print(f"wrote {', '.join(map(str, paths))} for {config_path}")
    print(f"build it with: make run CONFIG={config_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "sample":
            return _sample(args)
        config = load_config(args.config)
        if args.command == "vars":
            print(json.dumps(dbt_vars(config)))
            return 0
        summary = prepare(config, args.out)
    except ByodError as error:
        print(f"error: {error}", file=sys.stderr)
        if args.command == "prepare":
            print(
                "nothing was written; the previous prepared data and warehouse are untouched",
                file=sys.stderr,
            )
        return 2
    print(format_summary(summary, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
