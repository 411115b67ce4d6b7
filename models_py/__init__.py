"""Customer analytics warehouse: the Python side (demo data generator, ML models, CLI)."""

import threading

# dbt runs Python models in parallel threads of one process, and two threads importing
# scikit-learn (or pandas) for the first time at once can see a half-initialised module
# ("cannot import name 'clone' from partially initialized module 'sklearn.base'"). Every dbt
# Python model does its imports while holding this lock; the models themselves still run in
# parallel.
PYTHON_MODEL_IMPORT_LOCK = threading.Lock()
