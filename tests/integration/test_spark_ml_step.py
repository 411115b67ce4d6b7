"""The ML step on Spark: run on the input tables of the real DuckDB build, copied into Spark,
in one local session whose driver accepts at most 1 MB of results (spark.driver.maxResultSize),
less than one full snapshot table: whatever collects all customers fails here.

Parity: given the DuckDB run's fitted models, Spark's scoring gives every customer the DuckDB
segment and the DuckDB predictions (to 1e-6), compared inside Spark."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from helpers import Warehouse
from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from models_py.spark.ml_step import ML_STEP_INPUTS, ML_STEP_MODELS, run_ml_step
from models_py.spark.scoring import prediction_scores, segment_scores
from models_py.spark.session import local_session
from models_py.spark.tables import table_name, write_table

pytestmark = [
    pytest.mark.integration,
    pytest.mark.spark,
    # pyspark 4.3 warns on pandas 3 at every conversion; Arrow and mapInPandas work (tested here).
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

SCHEMA = "ml_step_test"
DUCKDB_OUTPUTS = ("segment_model", "customer_segments", "model_registry", "customer_predictions")
DRIVER_SAMPLE_ROWS = 400  # fewer than the generated customers: the fit sees a sample
SPARK_TYPES = {  # DuckDB type of a pandas-returned column -> the Spark type the step writes
    "VARCHAR": {"string"},
    "DOUBLE": {"double"},
    "BIGINT": {"bigint"},
    "INTEGER": {"int", "bigint"},
    "BOOLEAN": {"boolean"},
    "DATE": {"date"},
    "TIMESTAMP": {"timestamp", "timestamp_ntz"},
    "TIMESTAMP_NS": {"timestamp", "timestamp_ntz"},
    "TIMESTAMP_MS": {"timestamp", "timestamp_ntz"},
    "TIMESTAMP_S": {"timestamp", "timestamp_ntz"},
}


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()  # driver limits are fixed when a session starts
    root = tmp_path_factory.mktemp("spark")
    session = local_session(root, {"spark.driver.maxResultSize": "1m"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_inputs(spark: SparkSession, built_warehouse: Warehouse, tmp_path_factory) -> str:
    """The DuckDB build's ML inputs and outputs as Spark tables (through Parquet)."""
    out = tmp_path_factory.mktemp("exported")
    spark.sql(f"create database if not exists {SCHEMA}")
    with built_warehouse.connect() as con:
        for name in (*ML_STEP_INPUTS, *DUCKDB_OUTPUTS):
            con.execute(f"copy (select * from {name}) to '{out / name}.parquet' (format parquet)")
    for name in ML_STEP_INPUTS:
        spark.read.parquet(str(out / f"{name}.parquet")).write.saveAsTable(f"{SCHEMA}.{name}")
    for name in DUCKDB_OUTPUTS:
        frame = spark.read.parquet(str(out / f"{name}.parquet"))
        frame.write.saveAsTable(f"{SCHEMA}.duckdb__{name}")
    return SCHEMA


@pytest.mark.filterwarnings("ignore:toPandas attempted Arrow optimization")
def test_the_driver_limit_refuses_a_whole_table(spark: SparkSession, spark_inputs: str) -> None:
    """The limit bites on this data: collecting one full input table fails."""
    with pytest.raises((PySparkException, Py4JJavaError), match="maxResultSize"):
        spark.table(f"{spark_inputs}.customer_feature_snapshots").toPandas()


def _mismatches(spark_side: DataFrame, duckdb_side: DataFrame, columns: dict[str, str]) -> int:
    """Customers on one side only, or whose ``columns`` differ ('exact', or 'close': 1e-6, NaN
    equal to NaN and NULL)."""
    s = spark_side.alias("s")
    d = duckdb_side.alias("d")
    joined = s.join(d, on="customer_id", how="full_outer")
    differs = sf.col("s.customer_id").isNull() | sf.col("d.customer_id").isNull()
    for column, how in columns.items():
        left, right = sf.col(f"s.{column}"), sf.col(f"d.{column}")
        if how == "exact":
            differs = differs | ~left.eqNullSafe(right)
        else:
            left, right = sf.nanvl(left, sf.lit(None)), sf.nanvl(right, sf.lit(None))
            close = (left.isNull() & right.isNull()) | (sf.abs(left - right) <= 1e-6)
            differs = differs | ~sf.coalesce(close, sf.lit(False))
    return joined.where(differs).count()


def test_spark_segments_equal_duckdb_given_the_same_model(
    spark: SparkSession, spark_inputs: str
) -> None:
    parameters = spark.table(f"{spark_inputs}.duckdb__segment_model").toPandas()
    scored = segment_scores(spark.table(f"{spark_inputs}.customer_features"), parameters)
    duckdb = spark.table(f"{spark_inputs}.duckdb__customer_segments")
    assert duckdb.count() > 0
    assert _mismatches(scored, duckdb, {"segment_id": "exact", "segment_name": "exact"}) == 0
    assert _mismatches(scored, duckdb, {"distance_to_centroid": "close"}) == 0


def test_spark_predictions_equal_duckdb_given_the_same_models(
    spark: SparkSession, spark_inputs: str
) -> None:
    registry = spark.table(f"{spark_inputs}.duckdb__model_registry").toPandas()
    scored = prediction_scores(spark, spark_inputs, registry)
    duckdb = spark.table(f"{spark_inputs}.duckdb__customer_predictions")
    close = ("p_purchase", "predicted_spend", "expected_orders_12m", "predicted_clv_12m", "p_alive")
    columns = {c: "close" for c in close} | {"purchase_predicted": "exact", "model_name": "exact"}
    assert duckdb.count() > 0
    assert _mismatches(scored, duckdb, columns) == 0


def _duckdb_types(warehouse: Warehouse, model: str) -> list[tuple[str, str]]:
    with warehouse.connect() as con:
        rows = con.execute(f"describe {model}").fetchall()
    return [(name, kind) for name, kind, *_ in rows]


def test_ml_step_writes_every_table_under_the_driver_limit(
    spark: SparkSession, spark_inputs: str, built_warehouse: Warehouse, tmp_path
) -> None:
    """End to end under the 1 MB limit, the fit on a sample of fewer customers than there are;
    every table has the DuckDB model's columns and types, and every customer is scored."""
    timings = run_ml_step(
        spark,
        schema=spark_inputs,
        dbt_vars={"spark_ml_driver_sample_rows": DRIVER_SAMPLE_ROWS},
        artifacts_dir=tmp_path / "artifacts",
    )
    assert set(timings) == set(ML_STEP_MODELS)
    for model in ML_STEP_MODELS:
        written = spark.table(table_name(spark_inputs, model))
        spark_types = [(f.name, f.dataType.simpleString()) for f in written.schema.fields]
        duckdb_types = _duckdb_types(built_warehouse, model)
        assert [n for n, _ in spark_types] == [n for n, _ in duckdb_types], model
        for (name, spark_type), (_, duckdb_type) in zip(spark_types, duckdb_types, strict=True):
            assert spark_type in SPARK_TYPES.get(duckdb_type, {duckdb_type.lower()}), (
                f"{model}.{name}: Spark {spark_type}, DuckDB {duckdb_type}"
            )
    customers = spark.table(f"{spark_inputs}.customer_features").count()
    assert customers > DRIVER_SAMPLE_ROWS
    segments = spark.table(table_name(spark_inputs, "customer_segments"))
    assert segments.select("customer_id").distinct().count() == customers
    model = spark.table(table_name(spark_inputs, "segment_model")).toPandas()
    assert set(model["fitted_rows"]) == {DRIVER_SAMPLE_ROWS}
    sizes = model.drop_duplicates("segment_id")["segment_customers"]
    assert int(sizes.sum()) == customers
    score_rows = spark.table(f"{spark_inputs}.customer_feature_snapshots").where(
        "cutoff_role = 'score'"
    )
    predictions = spark.table(table_name(spark_inputs, "customer_predictions"))
    assert predictions.count() == score_rows.count()


def test_an_empty_table_is_written_with_its_columns(spark: SparkSession) -> None:
    """A table the step has no rows for (no metrics when no model could be evaluated) keeps its
    columns and their types instead of failing to infer them."""
    spark.sql(f"create database if not exists {SCHEMA}")
    empty = pd.DataFrame(
        {
            "task": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "folds": pd.Series(dtype="int64"),
            "is_published": pd.Series(dtype=bool),
        }
    )
    write_table(spark, empty, SCHEMA, "empty_metrics")
    written = spark.table(table_name(SCHEMA, "empty_metrics"))
    assert written.count() == 0
    assert dict(written.dtypes) == {
        "task": "string",
        "value": "double",
        "folds": "bigint",
        "is_published": "boolean",
    }
