"""Spark tables as the ML functions read them: one cutoff's snapshot joined in Spark, and seeded,
bounded samples of it brought to the driver as pandas frames typed as DuckDB's ``.df()`` types
them (decimals as float64, dates as datetime64), so the same functions fit on either engine."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import DateType, DecimalType

from models_py.ml_tables import FrameReader
from models_py.prediction.artifacts import (
    LAST_WINDOW,
    ROLES,
    _cutoffs,
    _incomplete_horizon_message,
    _require_score_cutoff,
    _with_empty_roles,
)
from models_py.prediction.snapshots import (
    JOINED_LABELS,
    KEYS,
    duplicate_label_error,
    finish_snapshot,
    require_columns,
)

ID = "customer_id"


def table(spark: SparkSession, schema: str, name: str) -> DataFrame:
    return spark.table(f"{schema}.{name}")


def decimals_as_doubles(frame: DataFrame) -> DataFrame:
    """Decimal columns as doubles, the type DuckDB hands pandas for them."""
    return frame.select(
        *(
            sf.col(f.name).cast("double").alias(f.name)
            if isinstance(f.dataType, DecimalType)
            else sf.col(f.name)
            for f in frame.schema.fields
        )
    )


def seeded_sample(frame: DataFrame, max_rows: int, seed: int) -> pd.DataFrame:
    """At most ``max_rows`` rows, chosen by a seeded hash of the customer id (the same customers
    in every table), in customer order, as pandas. Spark keeps the top rows per partition and
    merges them, so no more than ``max_rows`` rows reach the driver."""
    hashed = frame.withColumn("_sample_key", sf.xxhash64(sf.col(ID), sf.lit(seed)))
    picked = hashed.orderBy("_sample_key", ID).limit(max_rows).drop("_sample_key")
    return to_pandas(picked).sort_values(ID, kind="mergesort").reset_index(drop=True)


def to_pandas(frame: DataFrame) -> pd.DataFrame:
    """A bounded Spark frame as pandas, typed as DuckDB's ``.df()`` would type it."""
    frame = decimals_as_doubles(frame)
    dates = [f.name for f in frame.schema.fields if isinstance(f.dataType, DateType)]
    out = frame.toPandas()
    for column in dates:
        out[column] = pd.to_datetime(out[column])
    return out


def role_snapshot(
    spark: SparkSession, schema: str, cutoff: object, columns: Sequence[str], labelled: bool
) -> DataFrame:
    """One cutoff's snapshot (``columns``) with its last-window amounts (0 when absent) and, when
    ``labelled``, its labels: the join read_frames does in DuckDB, as a Spark frame."""
    on_day = sf.col("as_of_date") == sf.lit(pd.Timestamp(cutoff).date())
    snapshots = table(spark, schema, "customer_feature_snapshots").where(on_day)
    window = table(spark, schema, "prediction_last_window").where(on_day)
    joined = snapshots.select(*columns).join(window.select(ID, *LAST_WINDOW), on=ID, how="left")
    joined = joined.fillna(0, subset=list(LAST_WINDOW))
    if labelled:
        labels = table(spark, schema, "customer_label_snapshots").where(on_day)
        joined = joined.join(labels.select(ID, *JOINED_LABELS), on=ID, how="left")
    return joined


def snapshot_cutoffs(spark: SparkSession, schema: str) -> dict[str, object]:
    """Role -> as_of_date of customer_feature_snapshots (a handful of rows)."""
    pairs = table(spark, schema, "customer_feature_snapshots").select("cutoff_role", "as_of_date")
    cutoffs = _cutoffs(pairs.distinct().toPandas())
    _require_score_cutoff(cutoffs)
    return cutoffs


def check_labels(spark: SparkSession, schema: str, role: str, cutoff: object) -> list[str]:
    """Raise naming a customer with several label rows at the cutoff; the warning when the
    cutoff's horizon runs past the data. Only single rows reach the driver."""
    day = sf.lit(pd.Timestamp(cutoff).date())
    labels = table(spark, schema, "customer_label_snapshots")
    require_columns("customer_label_snapshots", labels.columns, (*KEYS, *JOINED_LABELS))
    labels = labels.where(sf.col("as_of_date") == day)
    repeated = labels.groupBy(ID).count().where("count > 1").orderBy(ID).limit(1).collect()
    if repeated:
        raise duplicate_label_error(repeated[0][ID], cutoff)
    if (
        "is_horizon_complete" in labels.columns
        and labels.where("not is_horizon_complete").limit(1).collect()
    ):
        return [_incomplete_horizon_message(role)]
    return []


def sample_reader(spark: SparkSession, schema: str, max_rows: int, seed: int) -> FrameReader:
    """A FrameReader over the Spark tables: each role's snapshot as a seeded sample of at most
    ``max_rows`` customers."""
    cutoffs = snapshot_cutoffs(spark, schema)
    available = table(spark, schema, "customer_feature_snapshots").columns

    def read(roles: tuple[str, ...] | None, columns: Sequence[str]):
        wanted = set(columns)
        picked = [c for c in available if c in wanted or c in KEYS]
        frames: dict[str, pd.DataFrame] = {}
        messages: list[str] = []
        known = (*ROLES, *sorted(set(cutoffs) - set(ROLES)))
        chosen = known if roles is None else roles
        for role in (r for r in known if r in chosen and cutoffs.get(r) is not None):
            labelled = role != "score"
            if labelled:
                messages += check_labels(spark, schema, role, cutoffs[role])
            joined = role_snapshot(spark, schema, cutoffs[role], picked, labelled)
            part = seeded_sample(joined, max_rows, seed)
            frames[role] = finish_snapshot(part, role, cutoffs[role])
        if not frames:
            raise ValueError(f"customer_feature_snapshots has no rows for the roles {roles}")
        return _with_empty_roles(frames), messages

    return read
