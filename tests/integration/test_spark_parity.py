"""The same dbt project on Apache Spark (dbt-spark, a local session) gives the same tables as on
DuckDB, on the same generated data.

make test builds only customer_features and what it reads on Spark (the dbt-spark cost is per
model) and compares every column with the DuckDB build of the shared fixture. make test-spark
(CA_SPARK_FULL_BUILD=1) also builds and tests the whole project on Spark and compares every table
the two engines share. Spark needs Java 17: without it these tests fail with what to install.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    DBT_PROJECT_DIR,
    SPARK_SCHEMA,
    Warehouse,
    assert_same_frame,
    run_on_spark,
    spark_env,
    spark_table,
    spark_tables,
)

from models_py.spark.build import ML_STEP_OUTPUT_TAG

pytestmark = [pytest.mark.integration, pytest.mark.spark]

SCHEMA = SPARK_SCHEMA

# The Python models' outputs (models/ml/*.py, models/reporting/*.py) the ML step writes on Spark.
ML_STEP_MODELS = sorted(
    path.stem for path in (DBT_PROJECT_DIR / "models" / "spark_ml").glob("*.sql")
)
# Copies the DuckDB build's ML tables into Spark as the ML step's output tables (tagged with the
# Spark build's run id, as the ML step tags them), so the SQL downstream of the ML step is compared
# on equal inputs whatever the ML step's own parity.
COPY_ML_TABLES = """
import sys
from pathlib import Path
import duckdb
from models_py.spark.session import local_session
build, schema, staging, names = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4:]
spark = local_session()
run_id = spark.table(f"{schema}.ml_run").first()["run_id"]
with duckdb.connect(build, read_only=True) as con:
    for name in names:
        path = staging / f"{name}.parquet"
        columns = [row[0] for row in con.execute(f"describe main.{name}").fetchall()]
        tagged = f"* replace ('{run_id}' as run_id)" if "run_id" in columns else "*"
        con.execute(f"copy (select {tagged} from main.{name}) to '{path}' (format parquet)")
        spark.sql(f"drop table if exists {schema}.ml_step__{name}")
        spark.sql(
            f"create table {schema}.ml_step__{name} using parquet "
            f"as select * from parquet.`{path}`"
        )
"""


@pytest.fixture(scope="module")
def spark_features(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """customer_features and the models it reads, built on Spark from the fixture's raw files."""
    work = tmp_path_factory.mktemp("spark_features")
    env = spark_env(work / "spark", work)
    run_on_spark(
        env, built_warehouse.raw_dir, "--select", "+customer_features", "--resource-type", "model"
    )
    return work / "spark"


def test_customer_features_same_on_spark_and_duckdb(
    built_warehouse: Warehouse, spark_features: Path
) -> None:
    duck = built_warehouse.query("select * from customer_features")
    assert len(duck) > 500
    spark = spark_table(spark_features, "customer_features")
    assert_same_frame(duck, spark, "customer_features", key=["customer_id"])


@pytest.fixture(scope="module")
def spark_whole_build(
    built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, set[str]]:
    """The whole project built and tested on Spark, the ML step's tables copied from DuckDB; the
    Spark folder and the tables dbt invocation 1 (upstream of the ML step) built."""
    if not os.environ.get("CA_SPARK_FULL_BUILD"):
        pytest.skip("the whole build on Spark runs in make test-spark (CA_SPARK_FULL_BUILD=1)")
    work = tmp_path_factory.mktemp("spark_whole")
    spark_dir = work / "spark"
    env = spark_env(spark_dir, work)
    run_on_spark(env, built_warehouse.raw_dir, "--exclude", f"tag:{ML_STEP_OUTPUT_TAG}+")
    upstream_of_ml_step = spark_tables(spark_dir)
    staging = work / "ml_tables"
    staging.mkdir()
    copy = [sys.executable, "-c", COPY_ML_TABLES, str(built_warehouse.db_path), SCHEMA]
    subprocess.run([*copy, str(staging), *ML_STEP_MODELS], env=env, check=True, capture_output=True)
    run_on_spark(env, built_warehouse.raw_dir, "--select", f"tag:{ML_STEP_OUTPUT_TAG}+")
    return spark_dir, upstream_of_ml_step


# Columns that say which run or when, not what: they differ between any two builds.
RUN_COLUMNS = {"run_id", "started_at", "fitted_at"}


def duckdb_tables(warehouse: Warehouse) -> set[str]:
    sql = (
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE'"
    )
    return set(warehouse.query(sql)["table_name"])


def test_tables_upstream_of_the_ml_step_same_on_spark_and_duckdb(
    built_warehouse: Warehouse, spark_whole_build: tuple[Path, set[str]]
) -> None:
    spark_dir, upstream = spark_whole_build
    shared = sorted(duckdb_tables(built_warehouse) & upstream)
    assert {"customer_features", "fct_order_lines", "data_quality_summary", "ml_run"} <= set(shared)
    for name in shared:
        duck = built_warehouse.query(f"select * from {name}")
        spark = spark_table(spark_dir, name)
        kept = [column for column in duck.columns if column not in RUN_COLUMNS]
        assert_same_frame(duck[kept], spark[[c for c in spark.columns if c in kept]], name)


def test_every_table_same_on_spark_and_duckdb(
    built_warehouse: Warehouse, spark_whole_build: tuple[Path, set[str]]
) -> None:
    """Downstream of the ML step too: with the ML step's tables copied from DuckDB, both engines
    fit the same models, so every shared table holds the same values (means included)."""
    spark_dir, _ = spark_whole_build
    shared = sorted(duckdb_tables(built_warehouse) & spark_tables(spark_dir))
    assert {"customer_360", "segment_summary", "prediction_lift", "customer_segments_sql"} <= set(
        shared
    )
    differing = []
    for name in shared:
        duck = built_warehouse.query(f"select * from {name}")
        spark = spark_table(spark_dir, name)
        kept = [column for column in duck.columns if column not in RUN_COLUMNS]
        try:
            assert_same_frame(duck[kept], spark[[c for c in spark.columns if c in kept]], name)
        except AssertionError as error:
            differing.append(str(error).splitlines()[0])
    assert not differing, "\n".join(differing)


def test_whole_build_with_the_ml_step_scores_every_customer_on_spark(
    built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`python -m models_py.spark` as `make run ENGINE=spark` calls it: invocation 1, the real ML
    step, invocation 2; every customer with features gets a segment and a prediction."""
    if not os.environ.get("CA_SPARK_FULL_BUILD"):
        pytest.skip("the whole build on Spark runs in make test-spark (CA_SPARK_FULL_BUILD=1)")
    work = tmp_path_factory.mktemp("spark_with_ml_step")
    spark_dir = work / "spark"
    env = {**spark_env(spark_dir, work), "CA_ARTIFACTS_DIR": str(work / "artifacts")}
    run_on_spark(env, built_warehouse.raw_dir)
    customers = set(spark_table(spark_dir, "customer_features")["customer_id"])
    assert customers
    assert set(spark_table(spark_dir, "customer_segments")["customer_id"]) == customers
    assert set(spark_table(spark_dir, "customer_predictions")["customer_id"]) == customers
    published = spark_table(spark_dir, "model_registry").query("is_published")
    assert {"purchase", "spend", "clv"} <= set(published["task"])
