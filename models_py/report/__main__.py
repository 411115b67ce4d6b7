"""`python -m models_py.report [--served PATH] [--out DIR] [--exports DIR]`: the same as
`python -m models_py report ...` (under the run lock)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from models_py.__main__ import main as pipeline_main

    return pipeline_main(["report", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
