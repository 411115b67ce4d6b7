"""The Spark engine: the local Spark session (session.py), dbt on Spark in one process and the
step between its two invocations (the ML step, ml_step.py)."""
