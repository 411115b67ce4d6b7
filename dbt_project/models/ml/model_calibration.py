"""The published purchase model's reliability table over the backtest folds: per probability
bin, the customers, the mean predicted probability and the observed purchase rate, raw and
(with two folds or more) calibrated leave-one-fold-out. Read from the artifacts model_registry
saved; empty without an evaluation."""

from models_py import PYTHON_MODEL_IMPORT_LOCK

with PYTHON_MODEL_IMPORT_LOCK:
    from models_py.ml_tables import model_calibration_table


def model(dbt, session):
    dbt.config(materialized="table")
    return model_calibration_table(dbt.ref("model_registry").df())
