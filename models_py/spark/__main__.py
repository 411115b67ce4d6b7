"""`python -m models_py.spark --raw-dir DIR --raw-format csv|parquet [--vars JSON]`: the build on
the local Spark session in one process (models_py.spark.build). The runner starts it as a child
process; exit status 0 built everything, 3 (BUILD_FAILED) did not. With --select, --exclude or
--resource-type: one `dbt build` of that selection only (no ML step), e.g. --select
+customer_features --resource-type model."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from models_py.exit_codes import ExitCode
from models_py.settings import DBT_PROJECT_DIR
from models_py.spark.build import (
    SparkBuild,
    SparkBuildError,
    build_on_spark,
    build_selection_on_spark,
)
from models_py.spark.session import JavaMissingError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models_py.spark", description=__doc__)
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--raw-format", choices=["csv", "parquet"], required=True)
    parser.add_argument("--vars", dest="dbt_vars", default=None, help="dbt --vars (JSON)")
    parser.add_argument("--select", help="dbt --select: build only this selection")
    parser.add_argument("--exclude", help="dbt --exclude: build all but this selection")
    parser.add_argument("--resource-type", help="dbt --resource-type: build only these (model)")
    args = parser.parse_args(argv)
    options = {"select": args.select, "exclude": args.exclude, "resource-type": args.resource_type}
    selection = [f"--{key}={value}" for key, value in options.items() if value]
    build = SparkBuild(args.raw_dir.absolute(), args.raw_format, args.dbt_vars)
    os.chdir(DBT_PROJECT_DIR)  # the profile's and project's relative paths start there
    try:
        if selection:
            build_selection_on_spark(build, selection)
        else:
            build_on_spark(build)
    except (SparkBuildError, JavaMissingError) as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return ExitCode.BUILD_FAILED
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
