"""Fit K-Means on customer_features and store its parameters: one row per segment and feature.

The selected k comes from segment_k_selection. Segment ids are canonical and names follow the
rules of the seed segment_definitions, checked against each segment's evidence (its profile
relative to all featured customers, stored on every row of the segment), so the same data gives
the same segments and every name is true of its segment.
"""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import segment_model_table
    from models_py.segmentation.definitions import definitions_from_frame
    from models_py.segmentation.kmeans import needed_columns
    from models_py.settings import segment_settings_from_vars


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt passes a config key to a Python model only if the code reads it literally.
    config = {
        "segment_features": dbt.config.get("segment_features"),
        "segment_log_features": dbt.config.get("segment_log_features"),
        "segment_k": dbt.config.get("segment_k"),
        "segment_k_min": dbt.config.get("segment_k_min"),
        "segment_k_max": dbt.config.get("segment_k_max"),
        "segment_random_seed": dbt.config.get("segment_random_seed"),
        "segment_n_init": dbt.config.get("segment_n_init"),
        "segment_silhouette_sample_size": dbt.config.get("segment_silhouette_sample_size"),
        "segment_minibatch_threshold": dbt.config.get("segment_minibatch_threshold"),
        "segment_lapse_gap_multiple": dbt.config.get("segment_lapse_gap_multiple"),
        "segment_n_threads": dbt.config.get("segment_n_threads"),
        "horizon_days": dbt.config.get("horizon_days"),
    }
    settings = segment_settings_from_vars(config.get)
    run = dbt.ref("ml_run").df()
    selection = dbt.ref("segment_k_selection").df()
    definitions = definitions_from_frame(dbt.ref("segment_definitions").df())
    relation = dbt.ref("customer_features")
    used = needed_columns(relation.columns, settings.features, definitions)
    features = relation.project(", ".join(used)).df()
    return segment_model_table(features, selection, definitions, settings, run["run_id"].iloc[0])
