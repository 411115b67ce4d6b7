"""models_py.settings: one parser from dbt vars to typed settings, whose defaults agree with
dbt_project.yml's vars."""

from __future__ import annotations

import dataclasses

import pytest

from models_py.settings import (
    PredictionSettings,
    SegmentSettings,
    SparkMlSettings,
    prediction_settings_from_vars,
    project_vars,
    segment_settings_from_vars,
    settings_from_vars,
)


def test_dbt_project_defaults_are_the_settings_defaults() -> None:
    """A default is written in dbt_project.yml and in the dataclass: parsing the first must give
    the second, so changing one alone fails here."""
    assert segment_settings_from_vars(project_vars().get) == SegmentSettings()
    assert prediction_settings_from_vars(project_vars().get) == PredictionSettings(
        features=tuple(project_vars()["prediction_features"]),
        categorical_features=tuple(project_vars()["prediction_categorical_features"]),
    )
    assert settings_from_vars(SparkMlSettings, project_vars().get) == SparkMlSettings()


def test_every_var_named_by_a_setting_is_a_dbt_project_var() -> None:
    for cls in (SegmentSettings, PredictionSettings, SparkMlSettings):
        for setting in dataclasses.fields(cls):
            var = setting.metadata.get("var")
            assert var is None or var in project_vars(), f"{cls.__name__}.{setting.name}: {var}"


def test_rendered_vars_are_typed_and_a_bad_one_is_named() -> None:
    rendered = {
        "prediction_features": "['recency_days', 'share_*']",
        "prediction_hgb_max_iter": "40",
        "prediction_n_jobs": "None",
        "horizon_days": 30,
    }
    settings = prediction_settings_from_vars(rendered.get)
    assert settings.features == ("recency_days", "share_*")
    assert (settings.hgb_max_iter, settings.horizon_days) == (40, 30)
    assert settings.n_jobs == PredictionSettings().n_jobs
    with pytest.raises(ValueError, match="prediction_hgb_max_iter: expected a whole number"):
        prediction_settings_from_vars({"prediction_hgb_max_iter": "many"}.get)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.hgb_max_iter = 1  # type: ignore[misc]
