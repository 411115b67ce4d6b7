"""Bring your own data: map a retailer's own files (CSV or Parquet) to the raw data contract with a
YAML config, validated before anything is written. See docs/own_data.md.

    python -m models_py.byod prepare --config my.yml --out warehouse/prepared
"""

from models_py.byod.config import ByodConfig, ByodError, load_config
from models_py.byod.prepare import dbt_vars, prepare

__all__ = ["ByodConfig", "ByodError", "dbt_vars", "load_config", "prepare"]
