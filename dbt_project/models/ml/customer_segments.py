"""Each customer's segment, scored in Python from the parameters stored in segment_model.

customer_segments_sql does the same in SQL; a singular test proves both agree for every customer.
"""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import customer_segments_table
    from models_py.segmentation.kmeans import needed_columns


def model(dbt, session):
    dbt.config(materialized="table")
    parameters = dbt.ref("segment_model").df()
    relation = dbt.ref("customer_features")
    used = needed_columns(relation.columns, parameters["feature"].unique().tolist())
    features = relation.project(", ".join(used)).df()
    return customer_segments_table(features, parameters)
