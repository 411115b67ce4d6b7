"""Writing the ML step's tables: ``<schema>.ml_step__<dbt model name>``, Parquet."""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

PREFIX = "ml_step__"


def table_name(schema: str, model: str) -> str:
    return f"{schema}.{PREFIX}{model}"


def _spark_type(dtype) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    return "string"


def spark_frame(spark: SparkSession, frame: pd.DataFrame) -> DataFrame:
    """A small pandas table as a Spark frame; a column of nothing but nulls becomes a string
    column (Spark cannot store a column of unknown type), and an empty table keeps its columns
    with types from their dtypes (Spark cannot infer them from no rows)."""
    if frame.empty:
        columns = ", ".join(
            f"`{column}` {_spark_type(dtype)}" for column, dtype in frame.dtypes.items()
        )
        return spark.createDataFrame([], schema=columns)
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].isna().all():
            frame[column] = frame[column].astype("string")
    return spark.createDataFrame(frame)


def write_table(spark: SparkSession, frame: pd.DataFrame | DataFrame, schema: str, model: str):
    """Replace ``<schema>.ml_step__<model>`` with ``frame``."""
    if isinstance(frame, pd.DataFrame):
        frame = spark_frame(spark, frame)
    frame.write.mode("overwrite").format("parquet").saveAsTable(table_name(schema, model))
