"""Customer analytics warehouse: the Python side (demo data generator, ML models, CLI)."""
