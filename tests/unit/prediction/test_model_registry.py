"""The model registry is the one list of prediction models: the dbt YAML's accepted model names
must be exactly its names, so a new entry cannot be fitted and then fail the warehouse tests."""

from __future__ import annotations

import yaml
from helpers import ROOT as REPO_ROOT

from models_py.prediction.registry import MODELS, publishable_names

MODELS_DIR = REPO_ROOT / "dbt_project" / "models"


def _accepted_values(column: dict) -> set[str] | None:
    for test in column.get("data_tests") or column.get("tests") or []:
        if isinstance(test, dict) and "accepted_values" in test:
            body = test["accepted_values"]
            values = body.get("arguments", body).get("values")
            return {str(v) for v in values}
    return None


def _model_name_lists() -> dict[str, set[str]]:
    """``<yml file>:<model>.<column>`` -> accepted values, for every column naming a model."""
    found = {}
    for path in sorted(MODELS_DIR.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            for column in model.get("columns") or []:
                values = _accepted_values(column)
                if column["name"].endswith("model_name") and values is not None:
                    found[f"{path.name}:{model['name']}.{column['name']}"] = values
    return found


def test_yaml_accepted_model_names_are_the_registry() -> None:
    lists = _model_name_lists()
    assert lists, "no accepted_values list of model names found in the dbt YAML"
    for where, values in lists.items():
        assert values == set(MODELS), f"{where} accepts {sorted(values)}, not the registry"


def test_publish_ranks_are_unique_and_btyd_is_the_fallback() -> None:
    ranks = [spec.publish_rank for spec in MODELS.values() if spec.publish_rank is not None]
    assert len(ranks) == len(set(ranks))
    # A task without an evaluated candidate publishes BG/NBD, so it must be publishable.
    assert "btyd" in publishable_names()
