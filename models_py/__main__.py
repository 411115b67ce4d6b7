"""`python -m models_py <command>`: the pipeline's one command line.

  run        data (demo, or your own with --config), dbt build, publish, report, summary
  build      data and dbt build only
  publish    copy the built tables to the served file
  report     write the HTML report and segment CSVs from the served file
  summary    list the warehouse's tables with row counts
  generate   write the demo data (its own options: python -m models_py generate --help)
  audiences  write hashed contact lists per segment from the build file
  byod       prepare your own data for a run (check, map, quarantine)

run, build, publish and report hold the run lock (one at a time per warehouse). Exit statuses:
models_py/exit_codes.py and the README's "Runs, exit codes and the run lock".
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from models_py.exit_codes import MEANINGS, ExitCode
from models_py.pipeline import steps
from models_py.pipeline.runner import locked_command, run_pipeline
from models_py.pipeline.spark_steps import ENGINES
from models_py.settings import PipelinePaths, env_path

EPILOG = "exit statuses:\n" + "\n".join(f"  {int(c):>3}  {MEANINGS[c]}" for c in ExitCode)


def _add_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help=f"if another run holds the run lock, stop with exit status {int(ExitCode.LOCKED)} "
        "instead of waiting for it",
    )


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    from models_py.demo_data.cli import parse_args as generator_defaults

    default_format = generator_defaults(["--out", "."]).fmt
    parser.add_argument(
        "--config", type=Path, help="your own data: the YAML config (docs/own_data.md)"
    )
    parser.add_argument("--customers", type=int, help="demo data: customers to generate")
    parser.add_argument("--seed", type=int, help="demo data: random seed")
    parser.add_argument(
        "--format",
        dest="raw_format",
        choices=["csv", "parquet"],
        default=None,
        help=f"demo data: raw file format (default: $CA_RAW_FORMAT or {default_format})",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=os.environ.get("ENGINE") or "duckdb",
        help="where the warehouse is built: duckdb (one machine) or spark (a local Spark "
        "session, docs/scale-out.md) (default: $ENGINE or duckdb)",
    )
    parser.set_defaults(default_format=default_format)
    _add_wait(parser)


def _demo(args: argparse.Namespace) -> tuple[str, list[str]]:
    raw_format = args.raw_format or os.environ.get("CA_RAW_FORMAT") or args.default_format
    options = []
    if args.customers is not None:
        options += ["--customers", str(args.customers)]
    if args.seed is not None:
        options += ["--seed", str(args.seed)]
    return raw_format, options


def _run(args: argparse.Namespace, through_build_only: bool = False) -> int:
    if args.engine not in ENGINES:  # $ENGINE is not checked by argparse
        steps.say(f"ENGINE must be one of {', '.join(ENGINES)}, got {args.engine!r}")
        return ExitCode.BAD_INPUT
    return run_pipeline(
        PipelinePaths.from_env(),
        config=args.config,
        demo=_demo(args),
        wait=args.wait,
        through_build_only=through_build_only,
        engine=args.engine,
    )


def _publish(args: argparse.Namespace) -> int:
    paths = replace(PipelinePaths.from_env(), build=args.build, served=args.served)
    return locked_command(
        "publish", paths, lambda _run_id: steps.publish_build(paths), wait=args.wait
    )


def _report(args: argparse.Namespace) -> int:
    paths = replace(
        PipelinePaths.from_env(), served=args.served, report=args.out, exports=args.exports
    )
    return locked_command(
        "report", paths, lambda _run_id: steps.write_report(paths), wait=args.wait
    )


def _summary(args: argparse.Namespace) -> int:
    try:
        steps.print_summary(args.warehouse, PipelinePaths.from_env())
    except steps.StepError as exc:
        steps.say(str(exc))
        return exc.code
    return ExitCode.OK


def _subparser(commands, name: str, help_text: str) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_path(parser: argparse.ArgumentParser, flag: str, env_name: str, what: str) -> None:
    parser.add_argument(
        flag, type=Path, default=env_path(env_name), help=f"{what} (default: ${env_name})"
    )


def _add_publish(commands) -> None:
    publish = _subparser(
        commands,
        "publish",
        "copy the analyst-facing tables of a complete, successful build to the served file, "
        "atomically",
    )
    _add_path(publish, "--build", "CA_WAREHOUSE_PATH", "dbt's working DuckDB file")
    _add_path(publish, "--served", "CA_SERVED_PATH", "the served file BI tools open read-only")
    _add_wait(publish)
    publish.set_defaults(handler=_publish)


def _add_report(commands) -> None:
    report = _subparser(
        commands,
        "report",
        "write the HTML report and per-segment CSVs from the served file (opened read-only)",
    )
    _add_path(report, "--served", "CA_SERVED_PATH", "served DuckDB file")
    _add_path(report, "--out", "CA_REPORT_DIR", "report folder; index.html is written there")
    _add_path(report, "--exports", "CA_EXPORTS_DIR", "folder for the per-segment CSV lists")
    _add_wait(report)
    report.set_defaults(handler=_report)


def _generate(args: list[str]) -> int:
    from models_py.demo_data.cli import main as generate_main

    return generate_main(args)


def _audiences(args: list[str]) -> int:
    from models_py.serving.audiences import main as audiences_main

    return audiences_main(args)


def _byod(args: list[str]) -> int:
    from models_py.byod.__main__ import main as byod_main

    return byod_main(args)


# Commands with their own options, handed everything after the command name.
DELEGATED = {
    "generate": (_generate, "write the demo data (customers, products, orders, order lines)"),
    "audiences": (_audiences, "write hashed contact lists per segment from the build file"),
    "byod": (_byod, "prepare your own data for a run: check, map, quarantine"),
}


def _add_delegated(commands) -> None:
    for name, (handler, help_text) in DELEGATED.items():
        # Listed for --help; main hands the command's arguments to its own parser.
        command = commands.add_parser(name, help=help_text, add_help=False)
        command.add_argument("args", nargs=argparse.REMAINDER)
        command.set_defaults(handler=lambda args, handler=handler: handler(args.args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m models_py",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = _subparser(commands, "run", "data, dbt build, publish, report and summary, in order")
    _add_data_options(run)
    run.set_defaults(handler=_run)
    build = _subparser(commands, "build", "data and dbt build only (no publish)")
    _add_data_options(build)
    build.set_defaults(handler=lambda args: _run(args, through_build_only=True))
    _add_publish(commands)
    _add_report(commands)
    summary = _subparser(commands, "summary", "list the warehouse's tables with row counts")
    _add_path(summary, "--warehouse", "CA_WAREHOUSE_PATH", "DuckDB file to summarise")
    summary.set_defaults(handler=_summary)
    _add_delegated(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:  # its own parser reads every option after the name
        handler, _ = DELEGATED[argv[0]]
        return int(handler(argv[1:]))
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
