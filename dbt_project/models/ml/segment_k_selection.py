"""K selection curve: K-Means inertia, silhouette and stability across bootstrap resamples for
every k of the configured range.

segment_model fits the selected k (the fixed `segment_k`, or, when it is null, the most stable k
among those with an acceptable silhouette).
"""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.dbt_log import dbt_progress
    from models_py.ml_tables import segment_k_selection_table
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
    relation = dbt.ref("customer_features")
    features = relation.project(", ".join(needed_columns(relation.columns, settings.features))).df()
    return segment_k_selection_table(
        features, settings, run["run_id"].iloc[0], dbt_progress("segment_k_selection")
    )
