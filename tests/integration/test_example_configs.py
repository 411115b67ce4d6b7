"""Every example config of own data (examples/*.yml, globbed: a new example is covered without a
change here) runs on a clean clone: `python -m models_py.byod sample --config` writes seeded
files in the config's shape, which the config prepares and the real `dbt build` (segmentation and
prediction included) builds, on DuckDB here and on Spark in make test-spark."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import (
    ROOT,
    assert_same_frame,
    dbt_env,
    run_dbt,
    run_on_spark,
    spark_env,
    spark_table,
)

from models_py.byod import load_config, prepare
from models_py.byod.config import CONTRACT_STATUSES, ByodConfig

pytestmark = pytest.mark.integration

EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))
SAMPLE_CUSTOMERS = 150
MAX_QUARANTINED_SHARE = 0.1


def sample_and_prepare(example: Path, work: Path) -> tuple[Path, dict]:
    """The example's sample written by the CLI under `work` beside a copy of the config, then
    prepared; the prepared folder and the summary."""
    command = [sys.executable, "-m", "models_py.byod", "sample", "--config", str(example)]
    command += ["--out", str(work / "export"), "--customers", str(SAMPLE_CUSTOMERS)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    config = load_config(work / "export" / example.name)
    prepared = work / "prepared"
    summary = prepare(config, prepared)
    return prepared, summary


def build_on_duckdb(prepared: Path, work: Path) -> Path:
    """The real `dbt build` of the prepared folder with its vars; the DuckDB file."""
    work.mkdir(parents=True, exist_ok=True)
    env = dbt_env(prepared, work / "build.duckdb", work / "artifacts", "parquet")
    run_dbt(env, work, "build", "--vars", (prepared / "dbt_vars.json").read_text())
    return work / "build.duckdb"


def marks_undone_orders(config: ByodConfig) -> bool:
    """Whether the config says which orders were cancelled or returned."""
    cancellations = config.cancellations
    status_mapped = any("status" in table.mapping for table in config.tables.values())
    return status_mapped or cancellations.negative_quantity or bool(cancellations.invoice_prefix)


def test_the_examples_are_found() -> None:
    assert {"online_retail", "transaction_log", "own_contract"} <= {e.stem for e in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_config_builds_on_its_sample(example: Path, tmp_path: Path) -> None:
    config = load_config(example)
    prepared, summary = sample_and_prepare(example, tmp_path)
    assert set(summary["rows_read"]) == set(config.tables)
    assert all(rows > 0 for rows in summary["rows_read"].values())
    # The sample's faults (missing ids, impossible dates) stay a small share of its rows.
    assert summary["quarantined_rows"] < MAX_QUARANTINED_SHARE * sum(summary["rows_read"].values())

    with duckdb.connect(str(build_on_duckdb(prepared, tmp_path)), read_only=True) as con:
        statuses = {row[0] for row in con.sql("select distinct status from fct_orders").fetchall()}
        customers = con.sql("select count(*) from customer_features").fetchall()[0][0]
        scored = [
            con.sql(f"select count(*) from {table}").fetchall()[0][0]
            for table in ("customer_segments", "customer_predictions")
        ]
        cutoff = con.sql("select max(as_of_date) from customer_features").fetchall()[0][0]
    # Value codes and cancellation conventions came back as the contract's statuses.
    assert "completed" in statuses
    assert statuses <= set(CONTRACT_STATUSES)
    if marks_undone_orders(config):
        assert len(statuses) > 1
    assert customers > SAMPLE_CUSTOMERS // 2
    assert scored == [customers, customers]
    if config.as_of_date is not None:
        assert str(cutoff) == config.as_of_date


@pytest.mark.spark
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_config_builds_on_spark(example: Path, tmp_path: Path) -> None:
    """The same sample through `python -m models_py.spark` as `make run ENGINE=spark CONFIG=...`
    calls it: the same customer features as on DuckDB, and every customer with features gets a
    segment and a prediction."""
    if not os.environ.get("CA_SPARK_FULL_BUILD"):
        pytest.skip("the whole build on Spark runs in make test-spark (CA_SPARK_FULL_BUILD=1)")
    prepared, _ = sample_and_prepare(example, tmp_path)
    spark_dir = tmp_path / "spark"
    env = {**spark_env(spark_dir, tmp_path), "CA_ARTIFACTS_DIR": str(tmp_path / "artifacts")}
    dbt_vars = (prepared / "dbt_vars.json").read_text()
    run_on_spark(env, prepared, "--vars", dbt_vars, raw_format="parquet")
    customers = set(spark_table(spark_dir, "customer_features")["customer_id"])
    assert len(customers) > SAMPLE_CUSTOMERS // 2
    assert set(spark_table(spark_dir, "customer_segments")["customer_id"]) == customers
    assert set(spark_table(spark_dir, "customer_predictions")["customer_id"]) == customers
    with duckdb.connect(str(build_on_duckdb(prepared, tmp_path / "duckdb")), read_only=True) as con:
        duck = con.sql("select * from customer_features").df()
    spark = spark_table(spark_dir, "customer_features")
    assert_same_frame(duck, spark, "customer_features", key=["customer_id"])
