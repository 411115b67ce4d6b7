"""The dbt Python models and their Spark stand-ins are listed in five places (the .py files, the
ML step, its SQL twins, the ml_step source and the per-engine switches in dbt_project.yml): a
model added or removed in one of them alone fails here, not on a Spark run."""

from __future__ import annotations

import yaml
from helpers import DBT_PROJECT_DIR

from models_py.spark.ml_step import ML_STEP_MODELS

MODELS_DIR = DBT_PROJECT_DIR / "models"


def python_models() -> set[str]:
    return {path.stem for path in MODELS_DIR.rglob("*.py")}


def test_the_ml_step_writes_a_table_for_every_python_model():
    assert set(ML_STEP_MODELS) == python_models()


def test_every_python_model_has_a_sql_twin_over_its_ml_step_table():
    twins = {path.stem: path.read_text() for path in (MODELS_DIR / "spark_ml").glob("*.sql")}
    assert set(twins) == python_models()
    for name, sql in twins.items():
        assert f"source('ml_step', '{name}')" in sql, name


def test_the_ml_step_source_lists_every_table_the_step_writes():
    sources = yaml.safe_load((MODELS_DIR / "spark_ml" / "_spark_ml__sources.yml").read_text())
    (source,) = sources["sources"]
    tables = {table["name"]: table["identifier"] for table in source["tables"]}
    assert tables == {name: f"ml_step__{name}" for name in python_models()}


def test_every_python_model_is_switched_off_on_spark():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    folders = project["models"]["customer_analytics"]
    switched = {
        name
        for folder in folders.values()
        if isinstance(folder, dict)
        for name, config in folder.items()
        if isinstance(config, dict) and "spark" in str(config.get("+enabled", ""))
    }
    assert switched == python_models()
