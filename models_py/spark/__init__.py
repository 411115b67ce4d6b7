"""The Spark engine: the ML step over Spark tables (ml_step) and its helpers."""
