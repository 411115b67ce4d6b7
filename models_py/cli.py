"""`python -m models_py.cli <command>` and the `customer-analytics` script: the same command line
as `python -m models_py <command>` (run, build, publish, report, summary)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from models_py.__main__ import main as pipeline_main


def main(argv: Sequence[str] | None = None) -> int:
    return pipeline_main(argv)


if __name__ == "__main__":
    sys.exit(main())
