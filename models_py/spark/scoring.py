"""Scoring every customer in Spark with models fitted on the driver, nothing collected:
segments by the nearest stored centroid as Spark SQL expressions (the rule of assign_segments
and customer_segments_sql), predictions by the same pandas scoring code run per partition
through mapInPandas with the fitted models broadcast."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import DateType

from models_py.ml_tables import predictions_frame, published_models
from models_py.prediction.snapshots import KEYS, finish_snapshot, scoring_columns
from models_py.spark.frames import (
    ID,
    decimals_as_doubles,
    role_snapshot,
    snapshot_cutoffs,
    table,
)

PREDICTION_SCHEMA = (
    "customer_id string, as_of_date date, horizon_days bigint, p_purchase double, "
    "purchase_predicted boolean, predicted_spend double, expected_orders_12m double, "
    "predicted_clv_12m double, p_alive double, purchase_model_name string, "
    "spend_model_name string, model_name string, run_id string"
)


def _scaled(feature: pd.Series) -> Column:
    """One feature standardised as FeaturePreparer does: impute, log1p of x clipped at 0."""
    value = sf.coalesce(sf.col(feature["feature"]).cast("double"), sf.lit(feature["impute_value"]))
    if feature["transform"] == "log1p":
        value = sf.log1p(sf.greatest(value, sf.lit(0.0)))
    return (value - sf.lit(feature["scaler_mean"])) / sf.lit(feature["scaler_scale"])


def segment_scores(features: DataFrame, parameters: pd.DataFrame) -> DataFrame:
    """customer_segments for every row of ``features`` from segment_model's ``parameters``:
    the squared distance to each centroid in one row, the smallest (ties: lower segment_id)
    picked with array_min over (distance, segment_id, name) structs: no join, no shuffle."""
    params = parameters.sort_values(["segment_id", "feature_index"])
    first = params[params["segment_id"] == params["segment_id"].min()]
    scaled = features.select(
        ID, *(_scaled(row).alias(f"_scaled_{i}") for i, (_, row) in enumerate(first.iterrows()))
    )
    candidates = []
    for segment_id, segment in params.groupby("segment_id", sort=True):
        squared = [
            (sf.col(f"_scaled_{i}") - sf.lit(c)) * (sf.col(f"_scaled_{i}") - sf.lit(c))
            for i, c in enumerate(segment["centroid_scaled"].astype(float))
        ]
        total = squared[0]
        for term in squared[1:]:
            total = total + term
        candidates.append(
            sf.struct(
                total.alias("squared_distance"),
                sf.lit(int(segment_id)).cast("bigint").alias("segment_id"),
                sf.lit(str(segment["segment_name"].iloc[0])).alias("segment_name"),
            )
        )
    best = scaled.select(ID, sf.array_min(sf.array(*candidates)).alias("best"))
    return best.select(
        ID,
        "best.segment_id",
        "best.segment_name",
        sf.sqrt("best.squared_distance").alias("distance_to_centroid"),
        sf.lit(str(parameters["run_id"].iloc[0])).alias("run_id"),
        sf.lit(pd.Timestamp(parameters["as_of_date"].iloc[0]).to_pydatetime()).alias("as_of_date"),
    )


def prediction_scores(spark: SparkSession, schema: str, registry: pd.DataFrame) -> DataFrame:
    """customer_predictions for every customer of the score snapshot, scored partition by
    partition with the published models (broadcast once to the executors)."""
    purchase, spend, clv, summary = published_models(registry)
    cutoff = snapshot_cutoffs(spark, schema)["score"]
    available = table(spark, schema, "customer_feature_snapshots").columns
    wanted = set(scoring_columns([purchase, spend, clv]))
    picked = [c for c in available if c in wanted or c in KEYS]
    snapshot = decimals_as_doubles(role_snapshot(spark, schema, cutoff, picked, labelled=False))
    dates = [f.name for f in snapshot.schema.fields if isinstance(f.dataType, DateType)]
    shared = spark.sparkContext.broadcast(
        ((purchase, spend, clv), summary, registry[["run_id"]].head(1))
    )

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        models, run_summary, run = shared.value
        for batch in batches:
            if batch.empty:
                continue
            for column in dates:
                batch[column] = pd.to_datetime(batch[column])
            part = finish_snapshot(batch, "score", cutoff)
            yield predictions_frame(part, models, run_summary, run)

    return snapshot.mapInPandas(score, PREDICTION_SCHEMA)
