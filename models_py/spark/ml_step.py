"""The ML step on Spark: between two dbt invocations (dbt-spark runs no Python models in session
mode), fit the segmentation and prediction models on seeded, bounded samples of the Spark
tables, score every customer in Spark, and write one table per dbt Python model
(``<schema>.ml_step__<model>``), which thin SQL models expose under the models' own names.

The tables are built by the functions of models_py.ml_tables, the same as on DuckDB.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import functions as sf

from models_py.ml_tables import (
    model_calibration_table,
    model_feature_importance_table,
    model_metrics_table,
    model_registry_table,
    prediction_evaluation_table,
    segment_k_selection_table,
    segment_model_table,
)
from models_py.segmentation.definitions import definitions_from_frame
from models_py.segmentation.kmeans import needed_columns
from models_py.settings import (
    PredictionSettings,
    SegmentSettings,
    SparkMlSettings,
    prediction_settings_from_vars,
    project_vars,
    segment_settings_from_vars,
    settings_from_vars,
)
from models_py.spark.frames import (
    ID,
    decimals_as_doubles,
    sample_reader,
    seeded_sample,
    table,
    to_pandas,
)
from models_py.spark.scoring import prediction_scores, segment_scores
from models_py.spark.tables import table_name, write_table

__all__ = ["ML_STEP_INPUTS", "ML_STEP_MODELS", "run_ml_step"]

LOG = logging.getLogger(__name__)

# The tables dbt invocation 1 builds that the step reads.
ML_STEP_INPUTS = (
    "customer_features",
    "customer_feature_snapshots",
    "customer_label_snapshots",
    "prediction_last_window",
    "ml_run",
    "segment_definitions",
)
# The dbt Python models whose tables the step writes, in the order it writes them.
ML_STEP_MODELS = (
    "segment_k_selection",
    "segment_model",
    "customer_segments",
    "model_registry",
    "model_metrics",
    "model_calibration",
    "model_feature_importance",
    "customer_predictions",
    "prediction_evaluation",
)


@contextmanager
def _stage(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    # A table built in two steps (segment_model: fit, then sizes) sums both.
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
    LOG.info("ml step: %s in %.1fs", name, timings[name])


def run_ml_step(
    spark: SparkSession, *, schema: str, dbt_vars: dict, artifacts_dir: Path
) -> dict[str, float]:
    """Build the ML tables of ``schema`` from its customer_features, snapshots, ml_run and
    segment_definitions; ``dbt_vars`` override dbt_project.yml's vars as on the dbt command
    line. Returns the seconds each stage took (the tables it wrote, by dbt model name)."""
    get = {**project_vars(), **dbt_vars}.get
    run_id = str(table(spark, schema, "ml_run").select("run_id").limit(1).collect()[0][0])
    limits = settings_from_vars(SparkMlSettings, get)
    timings: dict[str, float] = {}
    _segments(spark, schema, segment_settings_from_vars(get), limits, run_id, timings)
    step = _PredictionStep(spark, schema, prediction_settings_from_vars(get), limits, run_id)
    step.run(Path(artifacts_dir), get("prediction_reuse_run_id"), timings)
    return timings


def _segments(
    spark: SparkSession,
    schema: str,
    settings: SegmentSettings,
    limits: SparkMlSettings,
    run_id: str,
    timings: dict[str, float],
) -> None:
    """segment_k_selection and segment_model fitted on a sample; customer_segments for all."""
    features = decimals_as_doubles(table(spark, schema, "customer_features"))
    definitions = definitions_from_frame(to_pandas(table(spark, schema, "segment_definitions")))
    used = needed_columns(features.columns, settings.features, definitions)
    cap = limits.driver_sample_rows
    with _stage(timings, "segment_k_selection"):
        sample = seeded_sample(features.select(*used), cap, settings.random_state)
        selection = segment_k_selection_table(sample, settings, run_id, LOG.info)
        write_table(spark, selection, schema, "segment_k_selection")
    with _stage(timings, "segment_model"):
        model = segment_model_table(sample, selection, definitions, settings, run_id)
    with _stage(timings, "customer_segments"):
        write_table(spark, segment_scores(features, model), schema, "customer_segments")
    with _stage(timings, "segment_model"):
        write_table(spark, _with_full_sizes(spark, schema, model), schema, "segment_model")


def _with_full_sizes(spark: SparkSession, schema: str, model: pd.DataFrame) -> pd.DataFrame:
    """segment_model with segment_customers counted over every customer (the fit saw a
    sample): k rows from the customer_segments table just written."""
    counts = (
        spark.table(table_name(schema, "customer_segments"))
        .groupBy("segment_id")
        .agg(sf.count(ID).alias("customers"))
        .toPandas()
    )
    sizes = counts.set_index(counts["segment_id"].astype(int))["customers"]
    out = model.copy()
    out["segment_customers"] = [int(sizes.get(int(s), 0)) for s in out["segment_id"]]
    return out


class _PredictionStep:
    """model_registry and its dependants: fit on samples, score everyone in Spark."""

    def __init__(
        self,
        spark: SparkSession,
        schema: str,
        settings: PredictionSettings,
        limits: SparkMlSettings,
        run_id: str,
    ) -> None:
        self.spark, self.schema, self.settings, self.run_id = spark, schema, settings, run_id
        self.read = sample_reader(spark, schema, limits.driver_sample_rows, settings.random_state)

    def _timed(self, timings: dict[str, float], name: str, build: Callable[[], Any]) -> Any:
        with _stage(timings, name):
            built = build()
            write_table(self.spark, built, self.schema, name)
        return built

    def run(self, artifacts_dir: Path, reuse_run_id: object, timings: dict[str, float]) -> None:
        columns = table(self.spark, self.schema, "customer_feature_snapshots").columns
        registry = self._timed(
            timings,
            "model_registry",
            lambda: model_registry_table(
                self.read,
                columns,
                self.settings,
                self.run_id,
                artifacts_dir,
                reuse_run_id,
                lambda message, level: LOG.log(
                    logging.WARNING if level == "warn" else logging.INFO, message
                ),
            ),
        )
        self._timed(timings, "model_metrics", lambda: model_metrics_table(registry))
        self._timed(timings, "model_calibration", lambda: model_calibration_table(registry))
        self._timed(
            timings,
            "model_feature_importance",
            lambda: model_feature_importance_table(registry, self.read),
        )
        self._timed(
            timings,
            "customer_predictions",
            lambda: prediction_scores(self.spark, self.schema, registry),
        )
        self._timed(
            timings,
            "prediction_evaluation",
            lambda: prediction_evaluation_table(registry, self.read),
        )
