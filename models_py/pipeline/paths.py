"""Where a run reads and writes: every path of the pipeline, from the environment (CA_*) or the
defaults under warehouse/. The one place these defaults live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAREHOUSE_DIR = ROOT / "warehouse"
DBT_PROJECT_DIR = ROOT / "dbt_project"

# name -> default; each is also the environment variable that overrides it
DEFAULTS: dict[str, Path] = {
    "CA_RAW_DIR": WAREHOUSE_DIR / "raw",
    "CA_WAREHOUSE_PATH": WAREHOUSE_DIR / "build.duckdb",
    "CA_SERVED_PATH": WAREHOUSE_DIR / "analytics.duckdb",
    "CA_ARTIFACTS_DIR": WAREHOUSE_DIR / "artifacts",
    "CA_REPORT_DIR": WAREHOUSE_DIR / "report",
    "CA_EXPORTS_DIR": WAREHOUSE_DIR / "exports",
}


def env_path(name: str) -> Path:
    """The path the environment gives for `name` (a CA_* variable), else its default."""
    value = os.environ.get(name)
    return Path(value).absolute() if value else DEFAULTS[name]


@dataclass(frozen=True)
class PipelinePaths:
    raw_dir: Path
    build: Path
    served: Path
    artifacts: Path
    report: Path
    exports: Path

    @classmethod
    def from_env(cls) -> PipelinePaths:
        return cls(
            raw_dir=env_path("CA_RAW_DIR"),
            build=env_path("CA_WAREHOUSE_PATH"),
            served=env_path("CA_SERVED_PATH"),
            artifacts=env_path("CA_ARTIFACTS_DIR"),
            report=env_path("CA_REPORT_DIR"),
            exports=env_path("CA_EXPORTS_DIR"),
        )

    @property
    def lock(self) -> Path:
        """The run lock: beside the build file, one per warehouse."""
        return self.build.with_name(self.build.name + ".run.lock")

    @property
    def prepared_root(self) -> Path:
        """Run-private prepared folders of own-data runs: <this>/<run_id>/."""
        return self.build.parent / "prepared"
